// The CSV exports (GET /api/v1/*/export.csv) through their real handler, on each database: the
// lists' filters, group scope and roles, formula escaping, ISO dates, the attachment's name, and
// 10 000+ rows streamed page by page (a row written while the file is being read, in a page not
// read yet, is in the file: the pages are read as the client consumes them).
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import { createApiKey } from "../../src/server/core/api-keys/create-api-key.ts";
import { exportAuditEvents } from "../../src/server/core/audit/export-audit-events.ts";
import type { Role } from "../../src/server/core/context.ts";
import { createCustomer } from "../../src/server/core/customers/create-customer.ts";
import { exportCustomers } from "../../src/server/core/customers/export-customers.ts";
import { exportLicenses } from "../../src/server/core/licenses/export-licenses.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { exportSessions } from "../../src/server/core/sessions/export-sessions.ts";
import type { ApiServices } from "../../src/server/trpc/context.ts";
import { csvCell, handleCsvExport } from "../../src/server/trpc/csv-export.ts";
import { openApiDocument } from "../../src/server/trpc/openapi.ts";
import { testServices } from "../support/admin-services.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeLicense, makeProduct, makeWorld, unique } from "../support/fixtures.ts";
import { parseCsv, records } from "../support/csv.ts";

const BASE = "http://127.0.0.1:3000/api/v1";
type Exporter = Parameters<typeof handleCsvExport>[2];

describeEachDb("CSV exports", (getDb) => {
  let db: TestDb;
  let services: ApiServices;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  const keys: Partial<Record<Role | "super", string>> = {};

  const get = async (exporter: Exporter, path: string, key: string | undefined) => {
    const headers = new Headers();
    if (key) headers.set("authorization", `Bearer ${key}`);
    const response = await handleCsvExport(new Request(`${BASE}${path}`, { headers }), services, exporter);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const keyOf = (role: Role | "super") => {
    const key = keys[role];
    if (!key) throw new Error(`no ${role} key`);
    return key;
  };

  beforeAll(async () => {
    db = getDb();
    services = testServices(db, "c".repeat(40));
    world = await makeWorld(db);
    for (const role of ["viewer", "admin", "super"] as const) {
      const adminRole: Role = role === "super" ? "super_admin" : role;
      const groupIds = role === "super" ? [] : [world.groupA.id];
      const admin = await createAdmin(db.ctx(), {
        email: `${unique(role)}@example.com`,
        role: adminRole,
        password: "csv-export-password",
        groupIds,
      });
      const created = await createApiKey(
        db.ctx({ type: "admin", id: admin.id, label: admin.email, role: adminRole, groupIds }),
        { name: `${role} key`, role: adminRole },
      );
      keys[role] = created.key;
    }
  });

  it("escapes formulas, writes ISO dates and empty nulls", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(csvCell("plain = text")).toBe("plain = text");
    expect(csvCell(-5)).toBe(-5);
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-06-01T12:00:00.000Z"))).toBe("2026-06-01T12:00:00.000Z");
  });

  it("exports the filtered licenses: exactly the list's rows, with a header and a dated attachment", async () => {
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, world.groupA.id);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await makeLicense(db, customer.id, product.id));
    await suspendLicense(db.ctx(), { id: made[1]?.id ?? "" });
    await suspendLicense(db.ctx(), { id: made[3]?.id ?? "" });
    // another product's license of the same customer stays out
    await makeLicense(db, customer.id, world.product.id);

    const { status, headers, text } = await get(
      exportLicenses,
      `/licenses/export.csv?productId=${product.id}&status=active&sort=createdAt&direction=asc&page=3`,
      keyOf("viewer"),
    );
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(headers.get("content-disposition")).toBe('attachment; filename="licenses-2026-06-01.csv"');
    const rows = parseCsv(text);
    expect(rows[0]?.slice(0, 4)).toEqual(["id", "key", "status", "statusReason"]);
    const out = records(rows);
    expect(out.map((r) => r.id)).toEqual([made[0], made[2], made[4]].map((l) => l?.id));
    expect(out[0]).toMatchObject({
      key: made[0]?.key,
      status: "active",
      customerName: customer.name,
      productCode: product.code,
      seatLimit: "3",
      trial: "false",
      expiresAt: "",
      startsAt: "2026-06-01T12:00:00.000Z",
    });

    const suspended = records(
      parseCsv(
        (
          await get(
            exportLicenses,
            `/licenses/export.csv?productId=${product.id}&status=suspended`,
            keyOf("viewer"),
          )
        ).text,
      ),
    );
    expect(suspended.map((r) => r.id).sort()).toEqual([made[1]?.id, made[3]?.id].sort());
  });

  it("exports the licenses given by id in a POST body, still in the caller's groups", async () => {
    const outsider = await makeCustomer(db, world.groupB.id);
    const foreign = await makeLicense(db, outsider.id, world.product.id);
    const mine = await makeLicense(db, world.customer.id, world.product.id);
    const response = await handleCsvExport(
      new Request(`${BASE}/licenses/export.csv`, {
        method: "POST",
        headers: { authorization: `Bearer ${keyOf("admin")}`, "content-type": "application/json" },
        body: JSON.stringify({ ids: [mine.id, foreign.id, world.license.id] }),
      }),
      services,
      exportLicenses,
    );
    expect(response.status).toBe(200);
    const out = records(parseCsv(await response.text()));
    expect(out.map((r) => r.id).sort()).toEqual([mine.id, world.license.id].sort());

    const tooMany = await handleCsvExport(
      new Request(`${BASE}/licenses/export.csv`, {
        method: "POST",
        headers: { authorization: `Bearer ${keyOf("admin")}` },
        body: JSON.stringify({ ids: Array.from({ length: 501 }, (_, i) => `id-${i}`) }),
      }),
      services,
      exportLicenses,
    );
    expect(tooMany.status).toBe(400);
  });

  it("keeps to the caller's groups and roles; bad filters and no credentials answer JSON errors", async () => {
    const outsider = await makeCustomer(db, world.groupB.id);
    const foreign = await makeLicense(db, outsider.id, world.product.id);
    const mine = records(parseCsv((await get(exportLicenses, "/licenses/export.csv", keyOf("admin"))).text));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.some((r) => r.id === foreign.id)).toBe(false);
    expect(mine.every((r) => r.groupId === world.groupA.id)).toBe(true);
    const all = records(parseCsv((await get(exportLicenses, "/licenses/export.csv", keyOf("super"))).text));
    expect(all.some((r) => r.id === foreign.id)).toBe(true);

    // a group not theirs: the header only
    const other = await get(
      exportLicenses,
      `/licenses/export.csv?groupId=${world.groupB.id}`,
      keyOf("admin"),
    );
    expect(parseCsv(other.text)).toHaveLength(1);
    // another group's license's sessions: not found, as everywhere
    const sessions = await get(
      exportSessions,
      `/sessions/export.csv?licenseId=${foreign.id}`,
      keyOf("admin"),
    );
    expect(sessions.status).toBe(404);

    const viewerAudit = await get(exportAuditEvents, "/audit-events/export.csv", keyOf("viewer"));
    expect(viewerAudit.status).toBe(403);
    expect(JSON.parse(viewerAudit.text)).toMatchObject({ code: "FORBIDDEN" });
    const none = await get(exportLicenses, "/licenses/export.csv", undefined);
    expect(none.status).toBe(401);
    const bad = await get(exportLicenses, "/licenses/export.csv?status=paused", keyOf("viewer"));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^invalid input: status/) as unknown,
    });
  });

  it("exports customers with escaped cells, the audit log in scope and a license's sessions", async () => {
    const names = ['=HYPERLINK("http://x")', "+cmd", "-2+3", "@SUM(A1)", 'Quote "and", comma'];
    const made: { id: string }[] = [];
    for (const name of names) made.push(await createCustomer(db.ctx(), { name, groupId: world.groupB.id }));
    const { text } = await get(
      exportCustomers,
      `/customers/export.csv?groupId=${world.groupB.id}&sort=createdAt&direction=asc`,
      keyOf("super"),
    );
    const byId = new Map(records(parseCsv(text)).map((r) => [r.id, r]));
    expect(made.map((c) => byId.get(c.id)?.name)).toEqual([
      '\'=HYPERLINK("http://x")',
      "'+cmd",
      "'-2+3",
      "'@SUM(A1)",
      'Quote "and", comma',
    ]);
    // group A's admin does not see group B's customers
    const scoped = records(
      parseCsv((await get(exportCustomers, "/customers/export.csv", keyOf("admin"))).text),
    );
    expect(scoped.some((r) => made.some((c) => c.id === r.id))).toBe(false);

    const audit = records(
      parseCsv(
        (
          await get(
            exportAuditEvents,
            "/audit-events/export.csv?action=customer.&direction=asc",
            keyOf("admin"),
          )
        ).text,
      ),
    );
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((r) => r.action?.startsWith("customer."))).toBe(true);
    // group B's customers were created out of this admin's scope
    expect(audit.some((r) => made.some((c) => c.id === r.targetId))).toBe(false);
    const seqs = audit.map((r) => Number(r.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const sessions = await get(
      exportSessions,
      `/sessions/export.csv?licenseId=${world.license.id}&state=all`,
      keyOf("admin"),
    );
    expect(sessions.status).toBe(200);
    expect(sessions.headers.get("content-disposition")).toMatch(
      /^attachment; filename="sessions-[A-Z0-9-]+-2026-06-01\.csv"$/,
    );
    expect(parseCsv(sessions.text)[0]?.[0]).toBe("id");
  });

  it("is in the OpenAPI document as text/csv with the list's parameters", () => {
    const doc = openApiDocument(BASE, "test");
    const op = doc.paths?.["/licenses/export.csv"]?.get;
    expect(JSON.stringify(op?.responses?.["200"])).toContain('"text/csv"');
    const names = (op?.parameters ?? []).map((p) => ("name" in p ? p.name : ""));
    expect(names).toEqual(expect.arrayContaining(["q", "status", "productId", "sort"]) as unknown);
    expect(names).not.toContain("page");
    const sessions = doc.paths?.["/sessions/export.csv"]?.get?.parameters ?? [];
    expect(sessions.find((p) => "name" in p && p.name === "licenseId")).toMatchObject({ in: "query" });
  });

  describe("size", () => {
    it("streams 10 000+ licenses page by page", { timeout: 120_000 }, async () => {
      const { product } = await makeProduct(db);
      const customer = await makeCustomer(db, world.groupA.id);
      const COUNT = 10_200;
      const startsAt = db.clock.now();
      // written directly: 10 000 issues through the domain would take minutes
      const rows = Array.from({ length: COUNT }, (_, i) => ({
        key: `BULK${String(i).padStart(6, "0")}-${unique("k").slice(2)}`.toUpperCase(),
        customerId: customer.id,
        productId: product.id,
        startsAt,
      }));
      for (let i = 0; i < rows.length; i += 2000)
        await db.handle.db.license.createMany({ data: rows.slice(i, i + 2000) });

      const response = await handleCsvExport(
        new Request(`${BASE}/licenses/export.csv?productId=${product.id}&sort=key&direction=asc`, {
          headers: { authorization: `Bearer ${keyOf("admin")}` },
        }),
        services,
        exportLicenses,
      );
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      const decoder = new TextDecoder();
      let text = "";
      let chunks = 0;
      let heapPeak = 0;
      const heapBefore = process.memoryUsage().heapUsed;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks++;
        text += decoder.decode(value, { stream: true });
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - heapBefore);
        if (chunks === 2) {
          // the last page is not read yet: a license sorting last, written now, is in the file
          await db.handle.db.license.create({
            data: { key: "ZZZZZ-LATE-ROW", customerId: customer.id, productId: product.id, startsAt },
          });
        }
      }
      const out = records(parseCsv(text));
      expect(out).toHaveLength(COUNT + 1);
      expect(out.at(-1)?.key).toBe("ZZZZZ-LATE-ROW");
      // the header, then one chunk per page of 500
      expect(chunks).toBe(1 + Math.ceil((COUNT + 1) / 500));
      // a loose bound: the text of the file itself (~3 MB) plus one page, not every row object
      expect(heapPeak).toBeLessThan(200 * 1024 * 1024);
    });
  });
});
