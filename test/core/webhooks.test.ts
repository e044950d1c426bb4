// Webhook endpoints, deliveries and the event feed in the domain, on both databases: secrets shown
// once and stored sealed, target refusals, group scope (NOT_FOUND outside one's groups), rotation
// with grace, test events to one endpoint only, redelivery, and the feed's order, cursor and
// scope while events are being written.
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/server/core/context.ts";
import type { EventType } from "../../src/server/core/events/schemas.ts";
import { listEvents } from "../../src/server/core/events/list-events.ts";
import { createPolicy } from "../../src/server/core/policies/create-policy.ts";
import { mutate } from "../../src/server/core/shared/mutate.ts";
import { createWebhookEndpoint } from "../../src/server/core/webhooks/create-endpoint.ts";
import { deleteWebhookEndpoint } from "../../src/server/core/webhooks/delete-endpoint.ts";
import { getWebhookEndpoint } from "../../src/server/core/webhooks/get-endpoint.ts";
import { listWebhookAttempts } from "../../src/server/core/webhooks/list-attempts.ts";
import { listWebhookDeliveries } from "../../src/server/core/webhooks/list-deliveries.ts";
import { listWebhookEndpoints } from "../../src/server/core/webhooks/list-endpoints.ts";
import {
  MAX_REDELIVER_PER_CALL,
  redeliverFailedWebhooks,
} from "../../src/server/core/webhooks/redeliver-failed.ts";
import { redeliverWebhook } from "../../src/server/core/webhooks/redeliver.ts";
import { rotateWebhookSecret } from "../../src/server/core/webhooks/rotate-secret.ts";
import type { TCreateWebhookEndpointInput } from "../../src/server/core/webhooks/schemas.ts";
import { openWebhookSecret } from "../../src/server/core/webhooks/secret.ts";
import { MAX_WEBHOOK_ENDPOINTS } from "../../src/server/core/webhooks/select.ts";
import { sendWebhookTestEvent } from "../../src/server/core/webhooks/send-test-event.ts";
import { updateWebhookEndpoint } from "../../src/server/core/webhooks/update-endpoint.ts";
import { actor, describeEachDb, type TestDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";
import { makeCustomer, makeLicense, makeWorld, unique } from "../support/fixtures.ts";

const HOUR = 3_600_000;
const PUBLIC_URL = "https://93.184.215.14/hooks/license-server";

describeEachDb("webhooks admin API (domain)", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let licenseB: string;
  let adminA: Actor;
  let adminB: Actor;
  let editorA: Actor;
  let superAdmin: Actor;

  beforeAll(async () => {
    db = getDb();
    world = await makeWorld(db);
    const customerB = await makeCustomer(db, world.groupB.id);
    licenseB = (await makeLicense(db, customerB.id, world.product.id)).id;
    adminA = actor("admin", [world.groupA.id], "admin-a");
    adminB = actor("admin", [world.groupB.id], "admin-b");
    editorA = actor("editor", [world.groupA.id], "editor-a");
    superAdmin = actor("super_admin", [], "root");
  });

  const create = (who: Actor, input: Partial<TCreateWebhookEndpointInput> = {}) =>
    createWebhookEndpoint(db.ctx(who), { url: PUBLIC_URL, events: ["*"], ...input });

  /** An event written by a change of the system (as the domain's operations emit them). */
  const writeEvent = (type: EventType, opts: { licenseId?: string; groupId?: string | null } = {}) =>
    mutate(db.ctx(), ({ emit }) => {
      emit({ type, data: { note: unique("n") }, ...opts });
      return Promise.resolve();
    });

  const row = (id: string) =>
    db.handle.db.webhookEndpoint.findUniqueOrThrow({
      where: { id },
      select: { secretEnc: true, previousSecretEnc: true, previousSecretUntil: true, groupIds: true },
    });

  it("returns a whsec_ secret once and stores it sealed; lists, gets and audit records never carry it", async () => {
    const { endpoint, secret } = await create(superAdmin, {
      description: "ERP",
      events: ["license.created"],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({
      url: PUBLIC_URL,
      description: "ERP",
      events: ["license.created"],
      enabled: true,
      disabledReason: null,
      groupIds: null,
      counts: { pending: 0, succeeded: 0, failed: 0 },
    });
    const stored = await row(endpoint.id);
    expect(stored.secretEnc).not.toContain(secret);
    expect(stored.secretEnc).not.toContain(secret.slice("whsec_".length, 20));
    expect(openWebhookSecret(db.ctx().encryptionKey, stored.secretEnc)).toBe(secret);

    const got = await getWebhookEndpoint(db.ctx(superAdmin), { endpointId: endpoint.id });
    const listed = await listWebhookEndpoints(db.ctx(superAdmin), {});
    for (const text of [JSON.stringify(got), JSON.stringify(listed), JSON.stringify(endpoint)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(stored.secretEnc);
      expect(text).not.toMatch(/secret"/i);
    }
    expect(listed.items.map((e) => e.id)).toContain(endpoint.id);
    const audit = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "webhook_endpoint.create", targetId: endpoint.id },
      select: { summary: true, targetType: true },
    });
    expect(audit.targetType).toBe("webhook_endpoint");
    expect(audit.summary).not.toContain(secret);
    expect(audit.summary).not.toContain(stored.secretEnc);
    // the event types are normalized: "*" wins, duplicates go
    const star = await create(superAdmin, { events: ["license.created", "*"] });
    expect(star.endpoint.events).toEqual(["*"]);
    const dup = await create(superAdmin, {
      events: ["session.started", "license.created", "session.started"],
    });
    expect(dup.endpoint.events).toEqual(["license.created", "session.started"]);
    expect(dup.secret).not.toBe(star.secret);
  });

  describe("targets", () => {
    const bad = [
      "ftp://hooks.example.com/x",
      "https://user:pass@hooks.example.com/x",
      "javascript:alert(1)",
      "https://127.0.0.1/hook",
      "http://localhost:8080/hook",
      "https://api.localhost/hook",
      "https://10.0.0.1/hook",
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://192.168.1.20/hook",
      "https://0.0.0.0/hook",
      // other spellings of the same addresses (the URL parser's and the resolver's)
      "https://2130706433/hook",
      "https://0x7f000001/hook",
      "https://0177.0.0.1/hook",
      "https://127.1/hook",
      "https://LOCALHOST/hook",
      "https://localhost./hook",
      "https://[::ffff:7f00:1]/hook",
      "https://[0:0:0:0:0:0:0:1]/hook",
      "https://[fe80::1]/hook",
      "https://[fd00::1]/hook",
      "https://100.64.0.1/hook",
      "https://172.16.0.1/hook",
    ];
    for (const url of bad) {
      it(`refuses ${url} with INVALID_ARGUMENT on url, writing nothing`, async () => {
        const before = await db.handle.db.webhookEndpoint.count();
        const error = await expectDomainError(create(superAdmin, { url }), "INVALID_ARGUMENT");
        expect(error.fields.map((f) => f.path)).toEqual(["url"]);
        expect(await db.handle.db.webhookEndpoint.count()).toBe(before);
      });
    }

    it("allows private targets with WEBHOOK_ALLOW_PRIVATE_TARGETS (never credentials or other schemes)", async () => {
      const ctx = { ...db.ctx(superAdmin), allowPrivateWebhookTargets: true };
      for (const url of ["https://127.0.0.1/hook", "http://localhost:8080/hook", "https://[::1]/h"]) {
        const { endpoint } = await createWebhookEndpoint(ctx, { url, events: ["*"] });
        expect(endpoint.url).toBe(url);
        await deleteWebhookEndpoint(ctx, { endpointId: endpoint.id });
      }
      await expectDomainError(
        createWebhookEndpoint(ctx, { url: "ftp://127.0.0.1/x", events: ["*"] }),
        "INVALID_ARGUMENT",
      );
      await expectDomainError(
        createWebhookEndpoint(ctx, { url: "https://a:b@127.0.0.1/x", events: ["*"] }),
        "INVALID_ARGUMENT",
      );
    });

    it("refuses a private URL on update as well, keeping the old one", async () => {
      const { endpoint } = await create(superAdmin);
      const error = await expectDomainError(
        updateWebhookEndpoint(db.ctx(superAdmin), { endpointId: endpoint.id, url: "https://10.1.2.3/x" }),
        "INVALID_ARGUMENT",
      );
      expect(error.fields[0]?.path).toBe("url");
      expect((await getWebhookEndpoint(db.ctx(superAdmin), { endpointId: endpoint.id })).url).toBe(
        PUBLIC_URL,
      );
    });

    it("refuses unknown event types and empty lists", async () => {
      await expectDomainError(create(superAdmin, { events: [] }), "INVALID_ARGUMENT");
      await expectDomainError(
        create(superAdmin, { events: ["license.exploded" as "license.created"] }),
        "INVALID_ARGUMENT",
      );
      // test events go to one endpoint on demand: not subscribable
      await expectDomainError(create(superAdmin, { events: ["webhook.test"] }), "INVALID_ARGUMENT");
    });
  });

  describe("group scope", () => {
    it("gives a group admin's endpoint their groups; a named group must be theirs", async () => {
      const { endpoint } = await create(adminA);
      expect(endpoint.groupIds).toEqual([world.groupA.id]);
      const error = await expectDomainError(create(adminA, { groupIds: [world.groupB.id] }), "FORBIDDEN");
      expect(error.fields[0]?.path).toBe("groupIds.0");
      await expectDomainError(create(adminA, { groupIds: [world.groupA.id, world.groupB.id] }), "FORBIDDEN");
      const named = await create(adminA, { groupIds: [world.groupA.id, world.groupA.id] });
      expect(named.endpoint.groupIds).toEqual([world.groupA.id]);
      // a super admin may name any existing group, not a made-up one
      const both = await create(superAdmin, { groupIds: [world.groupB.id, world.groupA.id] });
      expect(both.endpoint.groupIds).toEqual([world.groupA.id, world.groupB.id].sort());
      await expectDomainError(create(superAdmin, { groupIds: ["no-such-group"] }), "NOT_FOUND");
    });

    it("only super admins may set every group (null)", async () => {
      const { endpoint } = await create(adminA);
      const error = await expectDomainError(
        updateWebhookEndpoint(db.ctx(adminA), { endpointId: endpoint.id, groupIds: null }),
        "FORBIDDEN",
      );
      expect(error.fields[0]?.path).toBe("groupIds");
      expect((await row(endpoint.id)).groupIds).toBe(JSON.stringify([world.groupA.id]));
      const widened = await updateWebhookEndpoint(db.ctx(superAdmin), {
        endpointId: endpoint.id,
        groupIds: null,
      });
      expect(widened.groupIds).toBeNull();
      // and a group admin cannot move their endpoint into a group that is not theirs
      const own = await create(adminA);
      await expectDomainError(
        updateWebhookEndpoint(db.ctx(adminA), { endpointId: own.endpoint.id, groupIds: [world.groupB.id] }),
        "FORBIDDEN",
      );
    });

    it("hides other groups' and all-groups endpoints from a group admin: NOT_FOUND for every operation", async () => {
      const ofB = (await create(adminB)).endpoint;
      const all = (await create(superAdmin)).endpoint;
      const both = (await create(superAdmin, { groupIds: [world.groupA.id, world.groupB.id] })).endpoint;
      const test = await sendWebhookTestEvent(db.ctx(superAdmin), { endpointId: ofB.id });
      const ctx = db.ctx(adminA);
      for (const endpointId of [ofB.id, all.id, both.id]) {
        await expectDomainError(getWebhookEndpoint(ctx, { endpointId }), "NOT_FOUND");
        await expectDomainError(updateWebhookEndpoint(ctx, { endpointId, description: "mine" }), "NOT_FOUND");
        await expectDomainError(rotateWebhookSecret(ctx, { endpointId }), "NOT_FOUND");
        await expectDomainError(sendWebhookTestEvent(ctx, { endpointId }), "NOT_FOUND");
        await expectDomainError(listWebhookDeliveries(ctx, { endpointId }), "NOT_FOUND");
        await expectDomainError(redeliverFailedWebhooks(ctx, { endpointId }), "NOT_FOUND");
        await expectDomainError(deleteWebhookEndpoint(ctx, { endpointId }), "NOT_FOUND");
      }
      await expectDomainError(listWebhookAttempts(ctx, { deliveryId: test.deliveryId }), "NOT_FOUND");
      await expectDomainError(redeliverWebhook(ctx, { deliveryId: test.deliveryId }), "NOT_FOUND");
      // the same message as for an id that does not exist
      const missing = await expectDomainError(getWebhookEndpoint(ctx, { endpointId: "nope" }), "NOT_FOUND");
      const hidden = await expectDomainError(getWebhookEndpoint(ctx, { endpointId: ofB.id }), "NOT_FOUND");
      expect(hidden.message.replace(ofB.id, "nope")).toBe(missing.message);

      const listed = (await listWebhookEndpoints(ctx, { pageSize: 200 })).items;
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((e) => e.groupIds !== null && e.groupIds.every((g) => g === world.groupA.id))).toBe(
        true,
      );
      const all200 = await listWebhookEndpoints(db.ctx(superAdmin), { pageSize: 200 });
      expect(all200.items.map((e) => e.id)).toEqual(expect.arrayContaining([ofB.id, all.id, both.id]));
      expect(all200.total).toBeGreaterThan(listed.length);
      // nothing of theirs changed
      expect((await getWebhookEndpoint(db.ctx(superAdmin), { endpointId: ofB.id })).description).toBe("");
    });

    it("refuses editors and viewers (FORBIDDEN), even in the endpoint's group", async () => {
      const { endpoint } = await create(adminA);
      const viewerA = actor("viewer", [world.groupA.id], "viewer-a");
      for (const who of [editorA, viewerA]) {
        const ctx = db.ctx(who);
        await expectDomainError(create(who), "FORBIDDEN");
        await expectDomainError(listWebhookEndpoints(ctx, {}), "FORBIDDEN");
        await expectDomainError(getWebhookEndpoint(ctx, { endpointId: endpoint.id }), "FORBIDDEN");
        await expectDomainError(deleteWebhookEndpoint(ctx, { endpointId: endpoint.id }), "FORBIDDEN");
        await expectDomainError(listEvents(ctx, {}), "FORBIDDEN");
      }
      await expectDomainError(listEvents(db.ctx({ ...adminA, type: "client" }), {}), "FORBIDDEN");
    });

    it("pages the list newest first", async () => {
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        db.clock.advance(60_000);
        made.push((await create(superAdmin)).endpoint.id);
      }
      const page1 = await listWebhookEndpoints(db.ctx(superAdmin), { page: 1, pageSize: 2 });
      const page2 = await listWebhookEndpoints(db.ctx(superAdmin), { page: 2, pageSize: 2 });
      expect(page1.total).toBe(await db.handle.db.webhookEndpoint.count());
      expect([...page1.items, ...page2.items].map((e) => e.id).slice(0, 3)).toEqual([...made].reverse());
      expect(page2.items[0]?.createdAt.getTime()).toBe(db.clock.now().getTime() - 120_000);
      expect(page1.items[0]?.createdAt.getTime()).toBe(db.clock.now().getTime());
    });
  });

  describe("changes", () => {
    it("disables with reason admin; enabling clears the reason and a run of failures", async () => {
      const { endpoint } = await create(adminA);
      const ctx = db.ctx(adminA);
      const off = await updateWebhookEndpoint(ctx, { endpointId: endpoint.id, enabled: false });
      expect(off).toMatchObject({ enabled: false, disabledReason: "admin" });
      await expectDomainError(sendWebhookTestEvent(ctx, { endpointId: endpoint.id }), "FAILED_PRECONDITION");
      // the worker disables an endpoint that keeps failing
      await db.handle.db.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { disabledReason: "failing", failingSince: new Date(db.clock.now().getTime() - 80 * HOUR) },
      });
      const on = await updateWebhookEndpoint(ctx, {
        endpointId: endpoint.id,
        enabled: true,
        description: "fixed the receiver",
        events: ["license.revoked"],
      });
      expect(on).toMatchObject({
        enabled: true,
        disabledReason: null,
        failingSince: null,
        description: "fixed the receiver",
        events: ["license.revoked"],
      });
      const audit = await db.handle.db.auditEvent.findMany({
        where: { action: "webhook_endpoint.update", targetId: endpoint.id },
        orderBy: { seq: "asc" },
        select: { summary: true },
      });
      expect(audit).toHaveLength(2);
      const last = JSON.parse(audit[1]?.summary ?? "{}") as { changes: Record<string, unknown> };
      expect(Object.keys(last.changes).sort()).toEqual([
        "description",
        "disabledReason",
        "enabled",
        "events",
      ]);
    });

    it("deletes an endpoint with its deliveries", async () => {
      const { endpoint } = await create(adminA);
      const { deliveryId } = await sendWebhookTestEvent(db.ctx(adminA), { endpointId: endpoint.id });
      expect(await deleteWebhookEndpoint(db.ctx(adminA), { endpointId: endpoint.id })).toEqual({
        id: endpoint.id,
      });
      expect(await db.handle.db.webhookDelivery.count({ where: { id: deliveryId } })).toBe(0);
      await expectDomainError(getWebhookEndpoint(db.ctx(adminA), { endpointId: endpoint.id }), "NOT_FOUND");
      await expectDomainError(
        deleteWebhookEndpoint(db.ctx(adminA), { endpointId: endpoint.id }),
        "NOT_FOUND",
      );
    });

    it("rotates the secret: the old one signs until the grace ends; graceHours 0 drops it", async () => {
      const { endpoint, secret: first } = await create(adminA);
      const key = db.ctx().encryptionKey;
      const rotated = await rotateWebhookSecret(db.ctx(adminA), { endpointId: endpoint.id, graceHours: 6 });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(first);
      expect(rotated.endpoint.previousSecretUntil?.getTime()).toBe(db.clock.now().getTime() + 6 * HOUR);
      const stored = await row(endpoint.id);
      expect(openWebhookSecret(key, stored.secretEnc)).toBe(rotated.secret);
      expect(openWebhookSecret(key, stored.previousSecretEnc ?? "")).toBe(first);
      const audit = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { action: "webhook_endpoint.rotate_secret", targetId: endpoint.id },
        select: { summary: true },
      });
      for (const s of [first, rotated.secret, stored.secretEnc]) expect(audit.summary).not.toContain(s);

      // the default grace is a day
      const again = await rotateWebhookSecret(db.ctx(adminA), { endpointId: endpoint.id });
      expect(again.endpoint.previousSecretUntil?.getTime()).toBe(db.clock.now().getTime() + 24 * HOUR);
      expect(openWebhookSecret(key, (await row(endpoint.id)).previousSecretEnc ?? "")).toBe(rotated.secret);

      const now = await rotateWebhookSecret(db.ctx(adminA), { endpointId: endpoint.id, graceHours: 0 });
      expect(now.endpoint.previousSecretUntil).toBeNull();
      const after = await row(endpoint.id);
      expect(after.previousSecretEnc).toBeNull();
      expect(openWebhookSecret(key, after.secretEnc)).toBe(now.secret);
      await expectDomainError(
        rotateWebhookSecret(db.ctx(adminA), { endpointId: endpoint.id, graceHours: 169 }),
        "INVALID_ARGUMENT",
      );
    });
  });

  describe("test events and redelivery", () => {
    it("sends a test event to that endpoint only, not into the feed", async () => {
      const target = (await create(superAdmin)).endpoint;
      const bystander = (await create(superAdmin)).endpoint;
      const { eventId, deliveryId } = await sendWebhookTestEvent(db.ctx(superAdmin), {
        endpointId: target.id,
      });
      expect(eventId).toMatch(/^evt_/);
      const deliveries = await db.handle.db.webhookDelivery.findMany({
        where: { eventId },
        select: { id: true, endpointId: true, status: true },
      });
      expect(deliveries).toEqual([{ id: deliveryId, endpointId: target.id, status: "pending" }]);
      expect(await db.handle.db.webhookDelivery.count({ where: { endpointId: bystander.id } })).toBe(0);
      const event = await db.handle.db.event.findUniqueOrThrow({
        where: { id: eventId },
        select: { type: true, groupId: true, data: true },
      });
      expect(event.type).toBe("webhook.test");
      expect(event.groupId).toBeNull();
      expect(JSON.parse(event.data)).toMatchObject({
        endpointId: target.id,
        message: expect.any(String) as unknown,
      });

      // never in the feed, not even asked for by type
      const feed = await listEvents(db.ctx(superAdmin), { limit: 500 });
      const all = [...feed.events];
      let cursor = feed.nextCursor;
      for (let more = feed.hasMore; more;) {
        const page = await listEvents(db.ctx(superAdmin), { after: cursor, limit: 500 });
        for (const e of page.events) expect(e.sequence).toBeGreaterThan(Number(cursor));
        all.push(...page.events);
        cursor = page.nextCursor;
        more = page.hasMore;
      }
      expect(all.some((e) => e.id === eventId || e.type === "webhook.test")).toBe(false);
      expect((await listEvents(db.ctx(superAdmin), { type: "webhook.test" })).events).toEqual([]);

      const page = await listWebhookDeliveries(db.ctx(superAdmin), { endpointId: target.id });
      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({ id: deliveryId, eventType: "webhook.test", status: "pending" });
      expect((await getWebhookEndpoint(db.ctx(superAdmin), { endpointId: target.id })).counts).toEqual({
        pending: 1,
        succeeded: 0,
        failed: 0,
      });
      const audit = await db.handle.db.auditEvent.count({
        where: { action: "webhook_endpoint.test", targetId: target.id },
      });
      expect(audit).toBe(1);
    });

    it("lists deliveries newest first by status, with the last attempt, and a delivery's attempts oldest first", async () => {
      const { endpoint } = await create(adminA);
      const ctx = db.ctx(adminA);
      const first = await sendWebhookTestEvent(ctx, { endpointId: endpoint.id });
      db.clock.advance(1000);
      const second = await sendWebhookTestEvent(ctx, { endpointId: endpoint.id });
      const d = db.handle.db;
      const at = db.clock.now();
      await d.webhookAttempt.createMany({
        data: [
          {
            deliveryId: first.deliveryId,
            attempt: 1,
            at: new Date(at.getTime() + 1),
            statusCode: 500,
            latencyMs: 40,
            responseExcerpt: "oops",
            error: "HTTP 500",
          },
          {
            deliveryId: first.deliveryId,
            attempt: 2,
            at: new Date(at.getTime() + 2),
            statusCode: 502,
            latencyMs: 77,
            responseExcerpt: "bad gateway",
            error: "HTTP 502",
          },
        ],
      });
      await d.webhookDelivery.update({
        where: { id: first.deliveryId },
        data: { status: "failed", attempts: 2, lastStatusCode: 502, lastError: "HTTP 502", completedAt: at },
      });
      const all = await listWebhookDeliveries(ctx, { endpointId: endpoint.id });
      expect(all.items.map((i) => i.id)).toEqual([second.deliveryId, first.deliveryId]);
      const failed = await listWebhookDeliveries(ctx, { endpointId: endpoint.id, status: "failed" });
      expect(failed.total).toBe(1);
      expect(failed.items[0]).toMatchObject({
        id: first.deliveryId,
        status: "failed",
        attempts: 2,
        lastStatusCode: 502,
        lastLatencyMs: 77,
        lastResponseExcerpt: "bad gateway",
        nextAttemptAt: null,
      });
      const pending = await listWebhookDeliveries(ctx, { endpointId: endpoint.id, status: "pending" });
      expect(pending.items[0]).toMatchObject({ lastLatencyMs: null, lastResponseExcerpt: null });
      await expectDomainError(
        listWebhookDeliveries(ctx, { endpointId: endpoint.id, status: "lost" as "failed" }),
        "INVALID_ARGUMENT",
      );
      const attempts = await listWebhookAttempts(ctx, { deliveryId: first.deliveryId });
      expect(attempts.map((a) => [a.attempt, a.statusCode, a.latencyMs])).toEqual([
        [1, 500, 40],
        [2, 502, 77],
      ]);
      await expectDomainError(listWebhookAttempts(ctx, { deliveryId: "nope" }), "NOT_FOUND");
    });

    it("redelivers one delivery of any status, and every failed one of an endpoint", async () => {
      const { endpoint } = await create(adminA);
      const ctx = db.ctx(adminA);
      const d = db.handle.db;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++)
        ids.push((await sendWebhookTestEvent(ctx, { endpointId: endpoint.id })).deliveryId);
      const [a, b, c, e] = ids as [string, string, string, string];
      const past = new Date(db.clock.now().getTime() - HOUR);
      const lease = new Date(db.clock.now().getTime() + HOUR);
      await d.webhookDelivery.updateMany({
        where: { id: { in: [a, b, c] } },
        data: { status: "failed", attempts: 11, completedAt: past, lockedUntil: lease, nextAttemptAt: past },
      });
      await d.webhookDelivery.update({
        where: { id: e },
        data: { status: "succeeded", attempts: 1, completedAt: past, lastStatusCode: 204 },
      });
      db.clock.advance(5000);

      const one = await redeliverWebhook(ctx, { deliveryId: e });
      expect(one).toMatchObject({ id: e, status: "pending", attempts: 1, completedAt: null });
      expect(one.nextAttemptAt?.getTime()).toBe(db.clock.now().getTime());

      const result = await redeliverFailedWebhooks(ctx, { endpointId: endpoint.id });
      expect(result).toEqual({ count: 3, remaining: 0 });
      const rows = await d.webhookDelivery.findMany({
        where: { id: { in: ids } },
        select: { status: true, attempts: true, lockedUntil: true, completedAt: true, nextAttemptAt: true },
      });
      for (const r of rows) {
        expect(r).toMatchObject({ status: "pending", lockedUntil: null, completedAt: null });
        expect(r.nextAttemptAt.getTime()).toBe(db.clock.now().getTime());
      }
      expect(rows.filter((r) => r.attempts === 11)).toHaveLength(3);
      expect(await redeliverFailedWebhooks(ctx, { endpointId: endpoint.id })).toEqual({
        count: 0,
        remaining: 0,
      });
      expect(
        await d.auditEvent.count({ where: { action: "webhook_endpoint.redeliver", targetId: endpoint.id } }),
      ).toBe(3);
      await expectDomainError(redeliverWebhook(ctx, { deliveryId: "nope" }), "NOT_FOUND");
    });
  });

  describe("the event feed", () => {
    /** Every event after `after` the actor may read, page by page. */
    async function drain(who: Actor, after: string | undefined, limit: number, filter = {}) {
      const events: { id: string; sequence: number; type: string; groupId: string | null }[] = [];
      let cursor = after;
      for (;;) {
        const page = await listEvents(db.ctx(who), { after: cursor, limit, ...filter });
        // strictly after the cursor: a page that does not advance would loop for ever
        for (const e of page.events) expect(e.sequence).toBeGreaterThan(Number(cursor ?? 0));
        events.push(...page.events);
        if (page.events.length > 0) expect(page.nextCursor).toBe(String(page.events.at(-1)?.sequence));
        else expect(page.nextCursor).toBe(cursor ?? "0");
        cursor = page.nextCursor;
        if (!page.hasMore) return { events, cursor };
      }
    }

    it("pages in feed order without gaps or repeats; filters by type and license; a group admin sees their groups only", async () => {
      const start = (await drain(superAdmin, undefined, 500)).cursor;
      await writeEvent("license.updated", { licenseId: world.license.id });
      await writeEvent("license.updated", { licenseId: licenseB });
      await createPolicy(db.ctx(), {
        productId: world.product.id,
        name: unique("feed-policy"),
        seatLimit: 2,
        entitlements: [],
      });
      await writeEvent("license.revoked", { licenseId: world.license.id });
      await writeEvent("session.started", { groupId: world.groupB.id });

      const everything = (await drain(superAdmin, start, 2)).events;
      expect(everything.map((e) => e.type)).toEqual([
        "license.updated",
        "license.updated",
        "policy.created",
        "license.revoked",
        "session.started",
      ]);
      const seqs = everything.map((e) => e.sequence);
      // every position after the cursor but the test events' (not in the feed), in order
      const stored = await db.handle.db.event.findMany({
        where: { seq: { gt: Number(start) }, type: { not: "webhook.test" } },
        orderBy: { seq: "asc" },
        select: { seq: true },
      });
      expect(seqs).toEqual(stored.map((e) => e.seq));
      const first = await listEvents(db.ctx(superAdmin), { after: start, limit: 1 });
      expect(first.hasMore).toBe(true);
      expect(first.events[0]).toMatchObject({
        type: "license.updated",
        version: 1,
        licenseId: world.license.id,
        groupId: world.groupA.id,
        data: { note: expect.any(String) as unknown },
      });
      expect(first.events[0]?.timestamp).toEqual(db.clock.now());

      const ofA = (await drain(adminA, start, 1)).events;
      expect(ofA.map((e) => e.type)).toEqual(["license.updated", "license.revoked"]);
      expect(ofA.every((e) => e.groupId === world.groupA.id)).toBe(true);
      const ofB = (await drain(adminB, start, 10)).events;
      expect(ofB.map((e) => e.type)).toEqual(["license.updated", "session.started"]);

      const revoked = (await drain(superAdmin, start, 10, { type: "license.revoked" })).events;
      expect(revoked.map((e) => e.type)).toEqual(["license.revoked"]);
      const ofLicense = (await drain(superAdmin, start, 10, { licenseId: world.license.id })).events;
      expect(ofLicense.map((e) => e.type)).toEqual(["license.updated", "license.revoked"]);
      // a group admin asking for another group's license gets nothing
      expect((await drain(adminA, start, 10, { licenseId: licenseB })).events).toEqual([]);

      // at the end the cursor stays where it is
      const end = await listEvents(db.ctx(superAdmin), { after: String(seqs.at(-1)) });
      expect(end).toEqual({ events: [], nextCursor: String(seqs.at(-1)), hasMore: false });
      // a cursor beyond any position is an empty page, not an error
      expect(await listEvents(db.ctx(superAdmin), { after: "999999999999999" })).toEqual({
        events: [],
        nextCursor: "999999999999999",
        hasMore: false,
      });
    });

    it("refuses a cursor that is not one (INVALID_ARGUMENT on after)", async () => {
      for (const after of ["abc", "-1", "1.5", "1e3", "", "0x10", "9".repeat(16)]) {
        const error = await expectDomainError(listEvents(db.ctx(superAdmin), { after }), "INVALID_ARGUMENT");
        expect(error.fields.map((f) => f.path)).toEqual(["after"]);
      }
      await expectDomainError(listEvents(db.ctx(superAdmin), { limit: 0 }), "INVALID_ARGUMENT");
      await expectDomainError(listEvents(db.ctx(superAdmin), { limit: 501 }), "INVALID_ARGUMENT");
      await expectDomainError(
        listEvents(db.ctx(superAdmin), { type: "license.exploded" as "license.created" }),
        "INVALID_ARGUMENT",
      );
    });

    it("a reader paging while events are written in parallel sees each once, in order, with no gaps", async () => {
      const start = (await drain(superAdmin, undefined, 500)).cursor;
      const WRITERS = 6;
      const EACH = 8;
      const state = { writing: true };
      const writers = Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < EACH; i++) {
            if ((w + i) % 3 === 0) await makeLicense(db, world.customer.id, world.product.id);
            else await writeEvent("license.updated", { licenseId: w % 2 ? world.license.id : licenseB });
          }
        }),
      ).finally(() => {
        state.writing = false;
      });
      const seen: number[] = [];
      let cursor = start;
      let pages = 0;
      // keep reading while the writers run, then once more to the end
      for (let last = false; ;) {
        const page = await listEvents(db.ctx(superAdmin), { after: cursor, limit: 3 });
        pages += 1;
        if (pages > 5000) throw new Error("the feed does not advance");
        for (const e of page.events) expect(e.sequence).toBeGreaterThan(Number(cursor));
        seen.push(...page.events.map((e) => e.sequence));
        cursor = page.nextCursor;
        if (!page.hasMore) {
          if (last) break;
          if (!state.writing) last = true;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      await writers;
      const tail = await listEvents(db.ctx(superAdmin), { after: cursor, limit: 500 });
      seen.push(...tail.events.map((e) => e.sequence));
      expect(pages).toBeGreaterThan(3);
      // every event written, each once, in order, from the start cursor without a gap
      const written = await db.handle.db.event.findMany({
        where: { seq: { gt: Number(start) }, type: { not: "webhook.test" } },
        orderBy: { seq: "asc" },
        select: { seq: true },
      });
      expect(written.length).toBeGreaterThanOrEqual(WRITERS * EACH);
      expect(seen).toEqual(written.map((e) => e.seq));
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  it(`allows at most ${MAX_WEBHOOK_ENDPOINTS} endpoints per server, even created at once`, async () => {
    const existing = await db.handle.db.webhookEndpoint.count();
    const free = MAX_WEBHOOK_ENDPOINTS - existing;
    expect(free).toBeGreaterThan(0);
    const results = await Promise.allSettled(
      Array.from({ length: free + 5 }, () => create(superAdmin, { description: "limit" })),
    );
    const made = results.filter((r) => r.status === "fulfilled");
    expect(made).toHaveLength(free);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(5);
    for (const r of refused) expect((r.reason as { code?: string }).code).toBe("FAILED_PRECONDITION");
    expect(await db.handle.db.webhookEndpoint.count()).toBe(MAX_WEBHOOK_ENDPOINTS);
    await expectDomainError(create(superAdmin), "FAILED_PRECONDITION");
  });
});

describeEachDb("webhooks: redelivering failed deliveries is bounded per call", (getDb) => {
  it(`queues at most ${MAX_REDELIVER_PER_CALL} failed deliveries a call, oldest first, and says how many remain`, async () => {
    const db = getDb();
    const { endpoint } = await createWebhookEndpoint(db.ctx(), { url: PUBLIC_URL, events: ["*"] });
    const d = db.handle.db;
    const total = MAX_REDELIVER_PER_CALL + 7;
    const base = db.clock.now().getTime() - 86_400_000;
    for (let start = 0; start < total; start += 2000) {
      const n = Math.min(2000, total - start);
      const events = Array.from({ length: n }, (_, i) => ({
        id: `evt_bound_${start + i}`,
        seq: start + i + 1,
        type: "license.updated",
        at: new Date(base + start + i),
        data: "{}",
      }));
      await d.event.createMany({ data: events });
      await d.webhookDelivery.createMany({
        data: events.map((e) => ({
          endpointId: endpoint.id,
          eventId: e.id,
          status: "failed",
          attempts: 11,
          nextAttemptAt: e.at,
          createdAt: e.at,
          completedAt: e.at,
        })),
      });
    }
    const first = await redeliverFailedWebhooks(db.ctx(), { endpointId: endpoint.id });
    expect(first).toEqual({ count: MAX_REDELIVER_PER_CALL, remaining: 7 });
    // the oldest went first: the 7 newest are still failed
    const left = await d.webhookDelivery.findMany({
      where: { endpointId: endpoint.id, status: "failed" },
      select: { eventId: true },
      orderBy: { createdAt: "asc" },
    });
    expect(left.map((r) => r.eventId)).toEqual(
      Array.from({ length: 7 }, (_, i) => `evt_bound_${MAX_REDELIVER_PER_CALL + i}`),
    );
    expect(await redeliverFailedWebhooks(db.ctx(), { endpointId: endpoint.id })).toEqual({
      count: 7,
      remaining: 0,
    });
    expect(await d.webhookDelivery.count({ where: { endpointId: endpoint.id, status: "pending" } })).toBe(
      total,
    );
  }, 120_000);
});
