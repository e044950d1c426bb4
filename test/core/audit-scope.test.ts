// The audit log by group, through the real REST and tRPC handlers: an admin of group A (signed
// in with a token, with their own API key, or with a super admin's key limited to group A) reads
// no event about group B — not B's customers, licenses, admins (their creation, their sign-ins),
// API keys or deletions — neither in the list nor on the dashboard; `total` counts what they see.
import { beforeAll, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { listAuditEvents } from "../../src/server/core/audit/list-audit-events.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { deleteCustomer } from "../../src/server/core/customers/delete-customer.ts";
import { updateCustomer } from "../../src/server/core/customers/update-customer.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { handleRestRequest, handleTrpcRequest } from "../../src/server/trpc/handlers.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeWorld, unique } from "../support/fixtures.ts";
import { testServices } from "../support/admin-services.ts";

const BASE = "http://127.0.0.1:3000";
const PASSWORD = "Quasar-orbit-7431-velvet";

interface Event {
  action: string;
  targetType: string;
  targetId: string | null;
  actorId: string | null;
}

describeEachDb("audit log scoped by group", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  /** ids of everything about group B, and strings only group B's events carry */
  const groupBIds = new Set<string>();
  const groupBSecrets: string[] = [];
  let moved = "";
  let adminA = { id: "", email: "" };
  let tokenA = "";
  let ownKeyA = "";
  let limitedKey = "";
  let superToken = "";

  const call = async (path: string, auth: string) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1${path}`, {
        headers: { authorization: `Bearer ${auth}`, "x-forwarded-for": "192.0.2.7" },
      }),
      services,
    );
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
  };
  const login = async (email: string, ip: string) => {
    const response = await handleRestRequest(
      new Request(`${BASE}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
      services,
    );
    const body = (await response.json()) as { token?: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.token ?? "";
  };
  const asAdmin = (id: string, email: string, role: Actor["role"], groupIds: string[]): Actor => ({
    type: "admin",
    id,
    label: email,
    role,
    groupIds,
  });

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "s".repeat(40));
    world = await makeWorld(db);
    const { groupA, groupB } = world;
    const root = await createAdmin(db.ctx(), {
      email: `${unique("root")}@example.com`,
      role: "super_admin",
      password: PASSWORD,
    });
    const a = await createAdmin(db.ctx(), {
      email: `${unique("admin-a")}@example.com`,
      role: "admin",
      password: PASSWORD,
      groupIds: [groupA.id],
    });
    adminA = { id: a.id, email: a.email };
    ownKeyA = (
      await createApiKey(db.ctx(asAdmin(a.id, a.email, "admin", [groupA.id])), {
        name: "a-key",
        role: "admin",
      })
    ).key;
    limitedKey = (
      await createApiKey(db.ctx(asAdmin(root.id, root.email, "super_admin", [])), {
        name: "limited-to-a",
        role: "super_admin",
        groupIds: [groupA.id],
      })
    ).key;
    // a customer of A that moves to B: both groups see the move
    const movedCustomer = await createCustomer(db.ctx(), { name: unique("Mover"), groupId: groupA.id });
    moved = movedCustomer.id;
    await updateCustomer(db.ctx(), { id: moved, groupId: groupB.id });

    // group B's history, last so that an unscoped dashboard tail would be all B
    const secretEmail = `${unique("ceo")}@secret-b.example`;
    const customerB = await createCustomer(db.ctx(), {
      name: unique("Secret B Corp"),
      email: secretEmail,
      groupId: groupB.id,
    });
    const licenseB = await makeLicense(db, customerB.id, world.product.id);
    await suspendLicense(db.ctx(), { id: licenseB.id, reason: "b-only reason" });
    const b = await createAdmin(db.ctx(), {
      email: `${unique("admin-b")}@secret-b.example`,
      role: "admin",
      password: PASSWORD,
      groupIds: [groupB.id],
    });
    const keyB = await createApiKey(db.ctx(asAdmin(b.id, b.email, "admin", [groupB.id])), {
      name: "b-key",
      role: "viewer",
    });
    await login(b.email, "198.51.100.99"); // auth.login of another group's admin
    const doomed = await createCustomer(db.ctx(), { name: unique("Doomed B"), groupId: groupB.id });
    await deleteCustomer(db.ctx(), { id: doomed.id });
    for (const id of [groupB.id, customerB.id, licenseB.id, b.id, keyB.apiKey.id, doomed.id])
      groupBIds.add(id);
    groupBSecrets.push(secretEmail, b.email, keyB.apiKey.prefix, "b-only reason");

    tokenA = await login(a.email, "192.0.2.50");
    superToken = await login(root.email, "192.0.2.51");
  });

  it("a group admin's list (token, own key, super admin's key limited to the group) holds no other group's event", async () => {
    const all = await db.handle.db.auditEvent.count();
    for (const [who, auth] of [
      ["token", tokenA],
      ["own key", ownKeyA],
      ["limited key", limitedKey],
    ] as const) {
      const list = await call("/audit-events?pageSize=200", auth);
      expect(list.status, `${who}: ${list.text}`).toBe(200);
      const items = list.body.items as Event[];
      const foreign = items.filter((e) => e.targetId !== moved && groupBIds.has(e.targetId ?? ""));
      expect(foreign, who).toEqual([]);
      for (const secret of groupBSecrets)
        expect(list.text.includes(secret), `${who} sees ${secret}`).toBe(false);
      // what they do see: their group's, the move out of it, and their own sign-in
      expect(
        items.some((e) => e.targetId === world.customer.id && e.action === "customer.create"),
        who,
      ).toBe(true);
      expect(
        items.filter((e) => e.targetId === moved).map((e) => e.action),
        who,
      ).toEqual(["customer.update", "customer.create"]);
      expect(
        items.some((e) => e.action === "auth.login" && e.targetId === adminA.id),
        who,
      ).toBe(true);
      expect(list.body.total, who).toBe(items.length);
      expect(items.length, who).toBeLessThan(all);
      // asking for B's records by id finds nothing, and says so in total
      for (const id of groupBIds) {
        const filtered = await call(`/audit-events?targetId=${id}`, auth);
        expect(filtered.body, `${who} ${id}`).toMatchObject({ items: [], total: 0 });
      }
    }
    // the super admin reads everything
    const everything = await call("/audit-events?pageSize=200", superToken);
    expect(everything.body.total).toBe(await db.handle.db.auditEvent.count());
    expect(groupBSecrets.filter((s) => !everything.text.includes(s))).toEqual([]);
  });

  it("the tRPC list and the dashboard's recent events are scoped the same way", async () => {
    const response = await handleTrpcRequest(
      new Request(
        `${BASE}/api/trpc/audit.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 200 }))}`,
        {
          headers: { authorization: `Bearer ${tokenA}` },
        },
      ),
      services,
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    for (const secret of groupBSecrets) expect(text.includes(secret), secret).toBe(false);
    // (group B's id itself appears once: in the move out of group A, which A's admins see)
    for (const id of groupBIds) if (id !== world.groupB.id) expect(text.includes(id), id).toBe(false);

    for (const auth of [tokenA, ownKeyA, limitedKey]) {
      const summary = await call("/dashboard/summary", auth);
      expect(summary.status, summary.text).toBe(200);
      const recent = summary.body.recentAudit as Event[];
      expect(recent.length).toBeGreaterThan(0);
      expect(recent.filter((e) => e.targetId !== moved && groupBIds.has(e.targetId ?? ""))).toEqual([]);
      for (const secret of groupBSecrets) expect(summary.text.includes(secret), secret).toBe(false);
    }
    // unscoped, the dashboard tail would be group B's: the super admin's is
    const superSummary = await call("/dashboard/summary", superToken);
    const superRecent = superSummary.body.recentAudit as Event[];
    expect(superRecent.some((e) => groupBIds.has(e.targetId ?? ""))).toBe(true);
  });

  it("an admin without groups reads only their own account's events and their own doings", async () => {
    const loner = await createAdmin(db.ctx(), {
      email: `${unique("loner")}@example.com`,
      role: "admin",
      password: PASSWORD,
    });
    const as = asAdmin(loner.id, loner.email, "admin", []);
    const page = await listAuditEvents(db.ctx(as), { pageSize: 200 });
    expect(page.items.map((e) => [e.action, e.targetId])).toEqual([["admin.create", loner.id]]);
    expect(page.total).toBe(1);
    // events tagged with the group of the target they acted on are theirs too, as their doing
    const made = await createCustomer(db.ctx({ ...as, role: "super_admin" }), {
      name: unique("Own"),
      groupId: world.groupB.id,
    });
    const after = await listAuditEvents(db.ctx(as), { pageSize: 200 });
    expect(after.items.map((e) => e.targetId)).toEqual([made.id, loner.id]);
  });

  it("tags each event with its target's groups at write time", async () => {
    const tags = async (targetId: string, action: string) => {
      const event = await db.handle.db.auditEvent.findFirstOrThrow({
        where: { targetId, action },
        select: { groups: { select: { groupId: true } } },
      });
      return event.groups.map((g) => g.groupId).sort();
    };
    const { groupA, groupB } = world;
    expect(await tags(world.license.id, "license.create")).toEqual([groupA.id]);
    expect(await tags(moved, "customer.update")).toEqual([groupA.id, groupB.id].sort());
    expect(await tags(adminA.id, "auth.login")).toEqual([groupA.id]);
    expect(await tags(groupB.id, "group.create")).toEqual([groupB.id]);
    expect(await tags(world.product.id, "product.create")).toEqual([]);
    const deleted = await db.handle.db.auditEvent.findFirstOrThrow({
      where: { action: "customer.delete" },
      select: { groups: { select: { groupId: true } } },
    });
    expect(deleted.groups.map((g) => g.groupId)).toEqual([groupB.id]);
  });
});
