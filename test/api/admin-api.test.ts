// The admin API through its real fetch handlers (the Next route files only forward to them):
// REST under /api/v1 and tRPC under /api/trpc, with tokens, API keys and the error mapping.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { openApiDocument } from "../../src/server/trpc/openapi.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeWorld, unique } from "../support/fixtures.ts";

const BASE = "http://127.0.0.1:3000";
const PASSWORD = "rest-api-password";

interface Json {
  [key: string]: unknown;
}

describeEachDb("admin API transports", (getDb) => {
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let superEmail: string;
  let viewerKey: string;

  const rest = async (
    method: string,
    path: string,
    init: { token?: string; body?: unknown; ip?: string } = {},
  ) => {
    const headers = new Headers({ "x-forwarded-for": init.ip ?? "192.0.2.10" });
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.body !== undefined) headers.set("content-type", "application/json");
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
      services,
    );
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
  };
  const token = async () => {
    const { body } = await rest("POST", "/auth/login", { body: { email: superEmail, password: PASSWORD } });
    return body.token as string;
  };

  beforeAll(async () => {
    const db: TestDb = getDb();
    services = testServices(db, "j".repeat(40));
    world = await makeWorld(db);
    superEmail = `${unique("root")}@example.com`;
    await createAdmin(db.ctx(), { email: superEmail, role: "super_admin", password: PASSWORD });
    const viewer = await createAdmin(db.ctx(), {
      email: `${unique("viewer")}@example.com`,
      role: "viewer",
      password: PASSWORD,
      groupIds: [world.groupA.id],
    });
    const created = await createApiKey(
      db.ctx({
        type: "admin",
        id: viewer.id,
        label: viewer.email,
        role: "viewer",
        groupIds: [world.groupA.id],
      }),
      { name: "reporting", role: "viewer" },
    );
    viewerKey = created.key;
  });

  it("publishes an OpenAPI document covering every REST route", () => {
    const doc = openApiDocument(`${BASE}/api/v1`, "test");
    const paths = Object.keys(doc.paths ?? {});
    for (const path of [
      "/auth/login",
      "/customers",
      "/customers/{id}",
      "/licenses/{id}/revoke",
      "/api-keys",
      "/audit-events/verify",
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths.length).toBeGreaterThanOrEqual(30);
  });

  describe("REST", () => {
    it("signs in, then lists, creates and reads with the bearer token", async () => {
      const bearer = await token();
      const list = await rest(
        "GET",
        `/customers?groupId=${world.groupA.id}&page=1&pageSize=1&includeArchived=false`,
        { token: bearer },
      );
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ page: 1, pageSize: 1 });
      expect((list.body.items as Json[]).length).toBe(1);

      const created = await rest("POST", "/customers", {
        token: bearer,
        body: { name: "Globex", groupId: world.groupA.id },
      });
      expect(created.status).toBe(200);
      const id = created.body.id as string;
      const got = await rest("GET", `/customers/${id}`, { token: bearer });
      expect(got.body).toMatchObject({ id, name: "Globex", groupId: world.groupA.id });
      expect(typeof got.body.createdAt).toBe("string");
      const stored = await getDb().handle.db.customer.findUniqueOrThrow({
        where: { id },
        select: { name: true },
      });
      expect(stored.name).toBe("Globex");

      const revoked = await rest("POST", `/licenses/${world.license.id}/suspend`, {
        token: bearer,
        body: { reason: "audit" },
      });
      expect(revoked.body).toMatchObject({ status: "suspended", statusReason: "audit" });
      const renewed = await rest("POST", `/licenses/${world.license.id}/reinstate`, {
        token: bearer,
        body: {},
      });
      expect(renewed.body.status).toBe("active");
    });

    it("answers without credentials 401, an outsider 404, a weak role 403, a broken rule 412", async () => {
      const none = await rest("GET", "/customers");
      expect(none.status).toBe(401);
      expect(JSON.stringify(none.body)).not.toMatch(/stack|at .*\.ts/);
      const badToken = await rest("GET", "/customers", { token: "lsk_" + "x".repeat(40) });
      expect(badToken.status).toBe(401);
      expect(badToken.body.message).toBe("invalid, expired or revoked API key");

      const viewerCreates = await rest("POST", "/customers", {
        token: viewerKey,
        body: { name: "Nope", groupId: world.groupA.id },
      });
      expect(viewerCreates.status).toBe(403);
      const outsider = await rest("GET", `/customers/${world.customer.id}`, { token: viewerKey });
      expect(outsider.status).toBe(200);
      const missing = await rest("GET", "/customers/does-not-exist", { token: viewerKey });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({
        code: "NOT_FOUND",
        message: "customer does-not-exist was not found",
      });

      const bearer = await token();
      const blocked = await rest("DELETE", `/customers/${world.customer.id}`, { token: bearer });
      expect(blocked.status).toBe(412);
      expect(blocked.body.message).toMatch(/active or suspended license/);
    });

    it("refuses bad input with 400 naming the field, and writes nothing", async () => {
      const bearer = await token();
      const before = await getDb().handle.db.customer.count();
      const audits = await getDb().handle.db.auditEvent.count();
      const bad = await rest("POST", "/customers", {
        token: bearer,
        body: { name: "", email: "nope", groupId: world.groupA.id },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^invalid input: (name|email): /);
      const fields = ((bad.body.data as Json).fields as { path: string }[]).map((f) => f.path).sort();
      expect(fields).toEqual(["email", "name"]);
      const badQuery = await rest("GET", "/customers?pageSize=9999", { token: bearer });
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.message).toMatch(/pageSize/);
      const notJson = await handleRestRequest(
        new Request(`${BASE}/api/v1/customers`, {
          method: "POST",
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: "{ not json",
        }),
        services,
      );
      expect(notJson.status).toBe(400);
      expect(await getDb().handle.db.customer.count()).toBe(before);
      expect(await getDb().handle.db.auditEvent.count()).toBe(audits);
    });

    it("rate-limits sign-in with 429 and Retry-After", async () => {
      const email = `${unique("target")}@example.com`;
      for (let i = 0; i < 5; i++) {
        const attempt = await rest("POST", "/auth/login", {
          body: { email, password: "wrong-password" },
          ip: "198.51.100.7",
        });
        expect(attempt.status).toBe(401);
      }
      const limited = await rest("POST", "/auth/login", {
        body: { email, password: "wrong-password" },
        ip: "198.51.100.7",
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.body.message).toMatch(/too many failed sign-in attempts/);
    });
  });

  describe("tRPC", () => {
    it("serves the same procedures with the same errors", async () => {
      const bearer = await token();
      const input = encodeURIComponent(JSON.stringify({ q: world.customer.name }));
      const ok = await handleTrpcRequest(
        new Request(`${BASE}/api/trpc/customers.list?input=${input}`, {
          headers: { authorization: `Bearer ${bearer}` },
        }),
        services,
      );
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { result: { data: { items: { id: string }[] } } };
      expect(body.result.data.items.map((c) => c.id)).toEqual([world.customer.id]);

      const bad = await handleTrpcRequest(
        new Request(`${BASE}/api/trpc/customers.create`, {
          method: "POST",
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "X", groupId: world.groupA.id, email: "bad" }),
        }),
        services,
      );
      expect(bad.status).toBe(400);
      const error = (await bad.json()) as {
        error: { message: string; data: { domainCode: string; fields: { path: string }[] } };
      };
      expect(error.error.data.domainCode).toBe("INVALID_ARGUMENT");
      expect(error.error.data.fields.map((f) => f.path)).toEqual(["email"]);
      expect(JSON.stringify(error)).not.toContain("stack");
    });
  });
});
