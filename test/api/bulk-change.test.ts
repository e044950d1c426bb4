// licenses.bulkChange through the REST face (POST /api/v1/licenses/bulk-change) and the domain,
// on each database: a mixed batch applied and refused license by license, group scope, roles,
// the 500-id bound, the audit rows and events, and two batches at once applying once.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import type { Role } from "../../src/server/core/context.ts";
import { bulkChangeLicenses } from "../../src/server/core/licenses/bulk-change-licenses.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { openApiDocument } from "../../src/server/trpc/openapi.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeLicense, makeWorld, unique } from "../support/fixtures.ts";

const BASE = "http://127.0.0.1:3000";

/** the value, or a failed test saying it is missing */
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("missing test value");
  return value;
}

interface Json {
  [key: string]: unknown;
}
interface BulkAnswer {
  action: string;
  applied: { id: string; key: string; status: string }[];
  refused: { id: string; key: string | null; code: string; reason: string }[];
}

describeEachDb("bulk license changes", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  const keys: Partial<Record<Role, string>> = {};

  const post = async (key: string, body: unknown) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1/licenses/bulk-change`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      services,
    );
    return { status: response.status, body: (await response.json()) as Json };
  };
  const licensesOf = async (count: number, customerId = world.customer.id, extra = {}) => {
    const out = [];
    for (let i = 0; i < count; i++) out.push(await makeLicense(db, customerId, world.product.id, extra));
    return out;
  };
  const statusOf = async (ids: string[]) =>
    (
      await db.handle.db.license.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } })
    ).reduce<Record<string, string>>((acc, row) => ({ ...acc, [row.id]: row.status }), {});

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "b".repeat(40));
    world = await makeWorld(db);
    // admins scoped to group A, each with an API key of their role
    for (const role of ["viewer", "editor", "admin"] as const) {
      const admin = await createAdmin(db.ctx(), {
        email: `${unique(role)}@example.com`,
        role,
        password: "bulk-change-password",
        groupIds: [world.groupA.id],
      });
      const created = await createApiKey(
        db.ctx({ type: "admin", id: admin.id, label: admin.email, role, groupIds: [world.groupA.id] }),
        { name: `${role} key`, role },
      );
      keys[role] = created.key;
    }
  });

  it("is in the OpenAPI document", () => {
    const doc = openApiDocument(`${BASE}/api/v1`, "test");
    expect(Object.keys(doc.paths?.["/licenses/bulk-change"] ?? {})).toEqual(["post"]);
  });

  it("applies a mixed batch license by license: the rest applied, each refusal with its reason", async () => {
    const active = await licensesOf(3);
    const [suspended, revoked] = await licensesOf(2);
    await suspendLicense(db.ctx(), { id: must(suspended).id });
    await revokeLicense(db.ctx(), { id: must(revoked).id });
    const outsider = await makeCustomer(db, world.groupB.id);
    const [foreign] = await licensesOf(1, outsider.id);
    const auditsBefore = await db.handle.db.auditEvent.count();
    const eventsBefore = await db.handle.db.event.count({ where: { type: "license.suspended" } });

    const ids = [
      must(active[0]).id,
      must(suspended).id,
      must(active[1]).id,
      must(revoked).id,
      must(foreign).id,
      "no-such-license",
      must(active[2]).id,
      must(active[0]).id, // listed twice: counts once
    ];
    const { status, body } = await post(must(keys.admin), { action: "suspend", ids, reason: "unpaid" });
    expect(status).toBe(200);
    const answer = body as unknown as BulkAnswer;
    expect(answer.applied.map((a) => a.id)).toEqual(active.map((l) => l.id));
    expect(answer.applied.every((a) => a.status === "suspended")).toBe(true);
    expect(answer.refused).toEqual([
      {
        id: must(suspended).id,
        key: must(suspended).key,
        code: "FAILED_PRECONDITION",
        reason: "the license is suspended; suspend needs it to be active",
      },
      {
        id: must(revoked).id,
        key: must(revoked).key,
        code: "FAILED_PRECONDITION",
        reason: "the license is revoked; suspend needs it to be active",
      },
      // another group's license reads as missing: its existence does not leak
      {
        id: must(foreign).id,
        key: null,
        code: "NOT_FOUND",
        reason: `license ${must(foreign).id} was not found`,
      },
      {
        id: "no-such-license",
        key: null,
        code: "NOT_FOUND",
        reason: "license no-such-license was not found",
      },
    ]);

    const stored = await db.handle.db.license.findMany({
      where: { id: { in: [...active.map((l) => l.id), must(foreign).id] } },
      select: { id: true, status: true, statusReason: true },
    });
    for (const row of stored) {
      if (row.id === must(foreign).id) expect(row.status).toBe("active");
      else expect(row).toMatchObject({ status: "suspended", statusReason: "unpaid" });
    }
    const audits = await db.handle.db.auditEvent.findMany({
      where: { seq: { gt: auditsBefore } },
      orderBy: { seq: "asc" },
      select: { action: true, targetId: true, summary: true, actorType: true },
    });
    expect(audits.map((a) => [a.action, a.targetId])).toEqual(active.map((l) => ["license.suspend", l.id]));
    for (const audit of audits) {
      expect(audit.actorType).toBe("api_key");
      expect(JSON.parse(audit.summary)).toMatchObject({ bulk: true, from: "active", to: "suspended" });
    }
    expect(await db.handle.db.event.count({ where: { type: "license.suspended" } })).toBe(eventsBefore + 3);
  });

  it("reinstates and renews in bulk; a perpetual license cannot be extended by days", async () => {
    const dated = await licensesOf(2, world.customer.id, { expiresAt: new Date("2026-09-01T00:00:00Z") });
    const [perpetual] = await licensesOf(1);
    const ids = [...dated.map((l) => l.id), must(perpetual).id];
    const renewed = await post(must(keys.editor), { action: "renew", ids, extendDays: 30 });
    expect(renewed.status).toBe(200);
    const renewAnswer = renewed.body as unknown as BulkAnswer;
    expect(renewAnswer.applied.map((a) => a.id)).toEqual(dated.map((l) => l.id));
    expect(renewAnswer.refused.map(({ reason: _reason, ...rest }) => rest)).toEqual([
      { id: must(perpetual).id, key: must(perpetual).key, code: "INVALID_ARGUMENT" },
    ]);
    expect(renewAnswer.refused[0]?.reason).toMatch(/perpetual/);
    const rows = await db.handle.db.license.findMany({
      where: { id: { in: dated.map((l) => l.id) } },
      select: { expiresAt: true },
    });
    expect(rows.map((r) => r.expiresAt?.toISOString())).toEqual([
      "2026-10-01T00:00:00.000Z",
      "2026-10-01T00:00:00.000Z",
    ]);

    // an editor may renew but not reinstate (license.status needs admin): refused whole
    await bulkChangeLicenses(db.ctx(), { action: "suspend", ids });
    const editor = await post(must(keys.editor), { action: "reinstate", ids });
    expect(editor.status).toBe(403);
    expect(Object.values(await statusOf(ids))).toEqual(["suspended", "suspended", "suspended"]);
    const reinstated = await post(must(keys.admin), { action: "reinstate", ids });
    expect((reinstated.body as unknown as BulkAnswer).applied).toHaveLength(3);
    expect(Object.values(await statusOf(ids))).toEqual(["active", "active", "active"]);
  });

  it("refuses a viewer, 501 ids and bad combinations whole, changing nothing", async () => {
    const batch = await licensesOf(2);
    const ids = batch.map((l) => l.id);
    const audits = await db.handle.db.auditEvent.count();

    const viewer = await post(must(keys.viewer), { action: "suspend", ids });
    expect(viewer.status).toBe(403);

    const tooMany = await post(must(keys.admin), {
      action: "suspend",
      ids: [...ids, ...Array.from({ length: 499 }, (_, i) => `missing-${i}`)],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toBe("invalid input: ids: at most 500 licenses per call");

    const none = await post(must(keys.admin), { action: "suspend", ids: [] });
    expect(none.status).toBe(400);
    expect(none.body.message).toBe("invalid input: ids: select at least one license");

    const renewWithout = await post(must(keys.admin), { action: "renew", ids });
    expect(renewWithout.status).toBe(400);
    expect(renewWithout.body.message).toMatch(/extendDays: give either expiresAt or extendDays/);
    const suspendWithDays = await post(must(keys.admin), { action: "suspend", ids, extendDays: 3 });
    expect(suspendWithDays.status).toBe(400);
    const badAction = await post(must(keys.admin), { action: "revoke", ids });
    expect(badAction.status).toBe(400);

    expect(Object.values(await statusOf(ids))).toEqual(["active", "active"]);
    expect(await db.handle.db.auditEvent.count()).toBe(audits);
  });

  it("takes 500 licenses in one call", async () => {
    const batch = await licensesOf(5);
    const ids = [...batch.map((l) => l.id), ...Array.from({ length: 495 }, (_, i) => `gone-${i}`)];
    const answer = await bulkChangeLicenses(db.ctx(), { action: "suspend", ids });
    expect(answer.applied).toHaveLength(5);
    expect(answer.refused).toHaveLength(495);
  });

  describe("concurrency", () => {
    it("two batches over the same licenses at once apply each change once", async () => {
      const batch = await licensesOf(8);
      const ids = batch.map((l) => l.id);
      const auditsBefore = await db.handle.db.auditEvent.count();
      const reversed = [...ids].reverse();
      const [first, second] = await Promise.all([
        post(must(keys.admin), { action: "suspend", ids }),
        post(must(keys.admin), { action: "suspend", ids: reversed }),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      const a = first.body as unknown as BulkAnswer;
      const b = second.body as unknown as BulkAnswer;
      // every license suspended by exactly one of the two calls, refused by the other
      expect(a.applied.length + b.applied.length).toBe(8);
      expect(a.refused.length + b.refused.length).toBe(8);
      const appliedIds = [...a.applied, ...b.applied].map((x) => x.id).sort();
      expect(appliedIds).toEqual([...ids].sort());
      const audits = await db.handle.db.auditEvent.count({
        where: { seq: { gt: auditsBefore }, action: "license.suspend" },
      });
      expect(audits).toBe(8);
      expect(Object.values(await statusOf(ids)).every((s) => s === "suspended")).toBe(true);
    });
  });
});
