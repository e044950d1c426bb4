// The webhook endpoint routes and the event feed through the admin API's real REST handler
// (/api/v1, API key auth, on both databases): the whole life of an endpoint, `GET /events?after=`
// paging, group-scoped keys, and 4xx (never 500) for bad input, including hostile cursors.
import { beforeAll, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import type { Actor } from "../../src/server/core/context.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeLicense, makeWorld, unique } from "../support/fixtures.ts";

const BASE = "http://127.0.0.1:3000";
const HOOK_URL = "https://93.184.215.14/hooks/ls";

interface Json {
  [key: string]: unknown;
}
interface EventJson {
  id: string;
  sequence: number;
  type: string;
  groupId: string | null;
  licenseId: string | null;
  timestamp: string;
  data: Json;
}
interface FeedJson {
  events: EventJson[];
  nextCursor: string;
  hasMore: boolean;
}

describeEachDb("webhooks and the event feed over REST", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let superKey: string;
  let groupAKey: string;
  let editorKey: string;

  const rest = async (
    method: string,
    path: string,
    init: { token?: string; body?: unknown; raw?: string; services?: ApiServices } = {},
  ) => {
    const headers = new Headers({ "x-forwarded-for": "192.0.2.44" });
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    if (body !== undefined) headers.set("content-type", "application/json");
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, { method, headers, body }),
      init.services ?? services,
    );
    const text = await response.text();
    expect(response.status, `${method} ${path}: ${text}`).not.toBe(500);
    expect(text).not.toMatch(/"stack"|at async|\.ts:\d+/);
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
  };

  const keyFor = async (who: Actor, role: Actor["role"]) =>
    (await createApiKey(db.ctx(who), { name: unique("key"), role })).key;

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "k".repeat(40));
    world = await makeWorld(db);
    const root = await createAdmin(db.ctx(), {
      email: `${unique("root")}@example.com`,
      role: "super_admin",
      password: "webhooks-rest-password",
    });
    const adminA = await createAdmin(db.ctx(), {
      email: `${unique("admin-a")}@example.com`,
      role: "admin",
      password: "webhooks-rest-password",
      groupIds: [world.groupA.id],
    });
    const asActor = (a: { id: string; email: string }, role: Actor["role"], groupIds: string[]): Actor => ({
      type: "admin",
      id: a.id,
      label: a.email,
      role,
      groupIds,
    });
    superKey = await keyFor(asActor(root, "super_admin", []), "super_admin");
    groupAKey = await keyFor(asActor(adminA, "admin", [world.groupA.id]), "admin");
    editorKey = await keyFor(asActor(adminA, "admin", [world.groupA.id]), "editor");
  });

  it("runs an endpoint's life: create (secret once), list, get, change, rotate, test, deliveries, attempts, redeliver, delete", async () => {
    const created = await rest("POST", "/webhook-endpoints", {
      token: groupAKey,
      body: { url: HOOK_URL, events: ["license.created", "license.revoked"], description: "CRM" },
    });
    expect(created.status).toBe(200);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const endpoint = created.body.endpoint as Json;
    const id = endpoint.id as string;
    expect(endpoint).toMatchObject({ groupIds: [world.groupA.id], enabled: true, description: "CRM" });

    const listed = await rest("GET", "/webhook-endpoints?page=1&pageSize=50", { token: groupAKey });
    expect(listed.status).toBe(200);
    expect((listed.body.items as Json[]).map((e) => e.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const got = await rest("GET", `/webhook-endpoints/${id}`, { token: groupAKey });
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(secret);

    const changed = await rest("PATCH", `/webhook-endpoints/${id}`, {
      token: groupAKey,
      body: { description: "CRM (prod)", enabled: false },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      description: "CRM (prod)",
      enabled: false,
      disabledReason: "admin",
    });
    const disabledTest = await rest("POST", `/webhook-endpoints/${id}/test`, { token: groupAKey, body: {} });
    expect(disabledTest.status).toBe(412);
    expect(disabledTest.body.message).toBe("the endpoint is disabled: enable it first");
    expect(
      (await rest("PATCH", `/webhook-endpoints/${id}`, { token: groupAKey, body: { enabled: true } })).status,
    ).toBe(200);

    const rotated = await rest("POST", `/webhook-endpoints/${id}/rotate-secret`, {
      token: groupAKey,
      body: { graceHours: 2 },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(secret);
    expect(new Date((rotated.body.endpoint as Json).previousSecretUntil as string).getTime()).toBe(
      db.clock.now().getTime() + 2 * 3_600_000,
    );

    const test = await rest("POST", `/webhook-endpoints/${id}/test`, { token: groupAKey, body: {} });
    expect(test.status).toBe(200);
    const deliveryId = test.body.deliveryId as string;
    expect(test.body.eventId).toMatch(/^evt_/);
    const deliveries = await rest("GET", `/webhook-endpoints/${id}/deliveries?status=pending`, {
      token: groupAKey,
    });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body).toMatchObject({
      total: 1,
      items: [{ id: deliveryId, eventType: "webhook.test" }],
    });
    const attempts = await rest("GET", `/webhook-deliveries/${deliveryId}/attempts`, { token: groupAKey });
    expect(attempts).toEqual({ status: 200, body: [] });

    await db.handle.db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "failed" } });
    const again = await rest("POST", `/webhook-deliveries/${deliveryId}/redeliver`, {
      token: groupAKey,
      body: {},
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("pending");
    await db.handle.db.webhookDelivery.update({ where: { id: deliveryId }, data: { status: "failed" } });
    const all = await rest("POST", `/webhook-endpoints/${id}/redeliver-failed`, {
      token: groupAKey,
      body: {},
    });
    expect(all).toEqual({ status: 200, body: { count: 1, remaining: 0 } });

    const deleted = await rest("DELETE", `/webhook-endpoints/${id}`, { token: groupAKey });
    expect(deleted).toEqual({ status: 200, body: { id } });
    expect((await rest("GET", `/webhook-endpoints/${id}`, { token: groupAKey })).status).toBe(404);
  });

  it("keeps group keys to their groups: another group's or an all-groups endpoint is 404, a foreign group 403, an editor 403", async () => {
    const all = await rest("POST", "/webhook-endpoints", {
      token: superKey,
      body: { url: HOOK_URL, events: ["*"] },
    });
    expect(all.status).toBe(200);
    const allId = (all.body.endpoint as Json).id as string;
    expect((all.body.endpoint as Json).groupIds).toBeNull();
    const ofB = await rest("POST", "/webhook-endpoints", {
      token: superKey,
      body: { url: HOOK_URL, events: ["*"], groupIds: [world.groupB.id] },
    });
    const bId = (ofB.body.endpoint as Json).id as string;
    for (const endpointId of [allId, bId]) {
      expect((await rest("GET", `/webhook-endpoints/${endpointId}`, { token: groupAKey })).status).toBe(404);
      const patch = await rest("PATCH", `/webhook-endpoints/${endpointId}`, {
        token: groupAKey,
        body: { enabled: false },
      });
      expect(patch.status).toBe(404);
      expect((await rest("DELETE", `/webhook-endpoints/${endpointId}`, { token: groupAKey })).status).toBe(
        404,
      );
    }
    const foreign = await rest("POST", "/webhook-endpoints", {
      token: groupAKey,
      body: { url: HOOK_URL, events: ["*"], groupIds: [world.groupB.id] },
    });
    expect(foreign.status).toBe(403);
    const editor = await rest("GET", "/webhook-endpoints", { token: editorKey });
    expect(editor.status).toBe(403);
    expect((await rest("GET", "/events", { token: editorKey })).status).toBe(403);
    expect((await rest("GET", "/events")).status).toBe(401);
    // the super admin's endpoints are unchanged
    expect(
      await db.handle.db.webhookEndpoint.count({ where: { id: { in: [allId, bId] }, enabled: true } }),
    ).toBe(2);
  });

  it("pages GET /events?after=<cursor> in order; a group key reads its groups' events only", async () => {
    const head = await rest("GET", "/events?limit=500", { token: superKey });
    expect(head.status).toBe(200);
    let start = (head.body as unknown as FeedJson).nextCursor;
    for (let feed = head.body as unknown as FeedJson; feed.hasMore;) {
      feed = (await rest("GET", `/events?after=${start}&limit=500`, { token: superKey }))
        .body as unknown as FeedJson;
      start = feed.nextCursor;
    }
    const customerB = await makeCustomer(db, world.groupB.id);
    const made = [
      await makeLicense(db, world.customer.id, world.product.id),
      await makeLicense(db, customerB.id, world.product.id),
      await makeLicense(db, world.customer.id, world.product.id),
    ];

    const read = async (token: string, query = "") => {
      const events: EventJson[] = [];
      let cursor = start;
      for (;;) {
        const page = await rest("GET", `/events?after=${cursor}&limit=1${query}`, { token });
        expect(page.status).toBe(200);
        const feed = page.body as unknown as FeedJson;
        for (const e of feed.events) expect(e.sequence).toBeGreaterThan(Number(cursor));
        events.push(...feed.events);
        cursor = feed.nextCursor;
        if (!feed.hasMore) return events;
      }
    };
    const every = await read(superKey, "&type=license.created");
    expect(every.map((e) => e.licenseId)).toEqual(made.map((l) => l.id));
    const seqs = every.map((e) => e.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(every[0]).toMatchObject({ type: "license.created", groupId: world.groupA.id });
    expect(new Date(every[0]?.timestamp ?? "").getTime()).toBe(db.clock.now().getTime());
    expect((every[0]?.data.license as Json).id).toBe(made[0]?.id);

    const ofA = await read(groupAKey, "&type=license.created");
    expect(ofA.map((e) => e.licenseId)).toEqual([made[0]?.id, made[2]?.id]);
    const byLicense = await read(superKey, `&licenseId=${made[1]?.id ?? ""}`);
    expect(byLicense.map((e) => e.type)).toEqual(["license.created"]);
    expect(await read(groupAKey, `&licenseId=${made[1]?.id ?? ""}`)).toEqual([]);
  });

  it("answers bad input with 400 naming the field (never 500), writing nothing", async () => {
    const audits = await db.handle.db.auditEvent.count();
    const endpoints = await db.handle.db.webhookEndpoint.count();
    const cases: [string, string, unknown, string | null][] = [
      ["GET", "/events?after=abc", undefined, "after"],
      ["GET", "/events?after=-1", undefined, "after"],
      ["GET", `/events?after=${"9".repeat(40)}`, undefined, "after"],
      ["GET", "/events?after=1%00", undefined, "after"],
      ["GET", "/events?limit=0", undefined, "limit"],
      ["GET", "/events?limit=100000", undefined, "limit"],
      ["GET", "/events?type=license.exploded", undefined, "type"],
      ["GET", "/webhook-endpoints?pageSize=1000", undefined, "pageSize"],
      ["POST", "/webhook-endpoints", { url: "https://127.0.0.1/x", events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: "http://[::1]:9000/x", events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: "https://169.254.169.254/x", events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: "gopher://example.com/x", events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: "https://u:p@example.com/x", events: ["*"] }, "url"],
      [
        "POST",
        "/webhook-endpoints",
        { url: `https://example.com/${"a".repeat(2100)}`, events: ["*"] },
        "url",
      ],
      ["POST", "/webhook-endpoints", { url: HOOK_URL, events: "*" }, "events"],
      ["POST", "/webhook-endpoints", { url: HOOK_URL, events: ["*"], groupIds: [] }, "groupIds"],
      ["POST", "/webhook-endpoints", { url: HOOK_URL, events: ["*"], enabled: "yes" }, "enabled"],
      ["POST", "/webhook-endpoints", { url: HOOK_URL, events: ["*"], groupIds: null }, "groupIds"],
      ["POST", "/webhook-endpoints", [], null],
      // PostgreSQL text cannot hold U+0000; URLs are single lines
      [
        "POST",
        "/webhook-endpoints",
        { url: HOOK_URL, events: ["*"], description: "a\u0000b" },
        "description",
      ],
      ["POST", "/webhook-endpoints", { url: `${HOOK_URL}/a\u0000b`, events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: `${HOOK_URL}/a\nb`, events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: `${HOOK_URL}/a\tb`, events: ["*"] }, "url"],
      ["POST", "/webhook-endpoints", { url: HOOK_URL, events: ["*"], groupIds: ["g\u0000"] }, "groupIds.0"],
      ["GET", "/events?licenseId=l%00", undefined, "licenseId"],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await rest(method, path, { token: superKey, body });
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.message).toBeTruthy();
      if (field) {
        const fields = ((answer.body.data as Json).fields as { path: string }[]).map((f) => f.path);
        expect(fields, `${path} ${JSON.stringify(body)}`).toContain(field);
      }
    }
    // a NUL in a path parameter: refused before any query (400), or no route (404); never 500
    for (const [method, path] of [
      ["GET", "/webhook-endpoints/a%00b"],
      ["PATCH", "/webhook-endpoints/a%00b"],
      ["POST", "/webhook-endpoints/a%00b/test"],
      ["GET", "/webhook-deliveries/a%00b/attempts"],
      ["POST", "/webhook-deliveries/a%00b/redeliver"],
    ] as const) {
      const answer = await rest(method, path, { token: superKey, body: method === "GET" ? undefined : {} });
      expect([400, 404], `${method} ${path}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
    }
    const notJson = await rest("POST", "/webhook-endpoints", { token: superKey, raw: "{ nope" });
    expect(notJson.status).toBe(400);
    const huge = await rest("GET", "/events?after=999999999999999", { token: superKey });
    expect(huge).toEqual({
      status: 200,
      body: { events: [], nextCursor: "999999999999999", hasMore: false },
    });
    expect((await rest("GET", "/webhook-endpoints/no-such", { token: superKey })).status).toBe(404);
    expect((await rest("GET", "/webhook-deliveries/no-such/attempts", { token: superKey })).status).toBe(404);
    expect(
      (await rest("POST", "/webhook-deliveries/no-such/redeliver", { token: superKey, body: {} })).status,
    ).toBe(404);
    const grace = await rest("POST", "/webhook-endpoints/no-such/rotate-secret", {
      token: superKey,
      body: { graceHours: -1 },
    });
    expect(grace.status).toBe(400);
    expect(await db.handle.db.auditEvent.count()).toBe(audits);
    expect(await db.handle.db.webhookEndpoint.count()).toBe(endpoints);
  });

  it("accepts private targets when the server allows them (WEBHOOK_ALLOW_PRIVATE_TARGETS)", async () => {
    const onPremise = { ...services, allowPrivateWebhookTargets: true };
    const created = await rest("POST", "/webhook-endpoints", {
      token: superKey,
      body: { url: "http://10.20.30.40:8080/hooks", events: ["*"] },
      services: onPremise,
    });
    expect(created.status).toBe(200);
    const id = (created.body.endpoint as Json).id as string;
    // the same server without the setting still refuses a private URL on a change
    const moved = await rest("PATCH", `/webhook-endpoints/${id}`, {
      token: superKey,
      body: { url: "http://192.168.0.9/hooks" },
    });
    expect(moved.status).toBe(400);
  });

  it("serves the same operations over tRPC", async () => {
    const headers = new Headers({ authorization: `Bearer ${superKey}`, "x-forwarded-for": "192.0.2.44" });
    const input = encodeURIComponent(JSON.stringify({ after: "0", limit: 2 }));
    const response = await handleTrpcRequest(
      new Request(`${BASE}/api/trpc/events.list?input=${input}`, { headers }),
      services,
    );
    expect(response.status).toBe(200);
    const json = (await response.json()) as { result: { data: FeedJson } };
    expect(json.result.data.events.length).toBeGreaterThan(0);
    const bad = await handleTrpcRequest(
      new Request(
        `${BASE}/api/trpc/events.list?input=${encodeURIComponent(JSON.stringify({ after: "x" }))}`,
        {
          headers,
        },
      ),
      services,
    );
    expect(bad.status).toBe(400);
  });
});
