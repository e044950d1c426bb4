// Bulk actions and CSV exports in a browser: three licenses selected on the licenses list and
// suspended in one confirmed bulk call (the database shows exactly those three suspended, with
// three audit records marked bulk), a batch with a license that cannot take the change names it
// in the summary, and the filtered list exported to CSV through the browser's download: its rows
// are exactly the filtered licenses; "Export selected" downloads the selected rows only; the
// customers, audit and sessions lists export too; a renewal by days on a selection.
// Set-up and the browser checks: support.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, OUTPUT_DIR, screenshot } from "./browser.ts";
import {
  api,
  base,
  confirmAction,
  createInitech,
  expectInvalid,
  handle,
  newAdminPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";
import { parseCsv as parseRows, records } from "../support/csv.ts";

interface License {
  id: string;
  key: string;
}

/** The key as the licenses table shows it (license-table.tsx's shortKey). */
const shown = (key: string) => (key.length > 14 ? `${key.slice(0, 9)}…${key.slice(-4)}` : key);

/** The server's CSV as objects by the header's names. */
function parseCsv(text: string): Record<string, string>[] {
  return records(parseRows(text));
}

describe.skipIf(browserMissing())("admin UI in a browser: bulk actions and CSV exports", () => {
  startAdminUi();
  let page: Page;
  const acme: License[] = [];
  const other: License[] = [];
  const dated: License[] = [];
  let otherProductId: string;

  const rowOf = (license: License) => page.getByRole("row").filter({ hasText: shown(license.key) });
  const select = async (license: License) => {
    // the row's first cell holds its selection checkbox
    await rowOf(license).getByRole("gridcell").first().click();
  };
  const statuses = async (ids: string[]) =>
    (await handle.db.license.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } }))
      .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
      .map((l) => l.status);

  beforeAll(async () => {
    ({ page } = await newAdminPage());
    const customerId = await createInitech();
    const second = await api<{ id: string }>("POST", "/products", {
      code: "acme-viewer",
      name: "Acme Viewer",
    });
    otherProductId = second.id;
    for (let i = 0; i < 6; i++)
      acme.push(await api<License>("POST", "/licenses", { customerId, productId: product.id, seatLimit: 2 }));
    for (let i = 0; i < 2; i++)
      other.push(await api<License>("POST", "/licenses", { customerId, productId: otherProductId }));
    for (let i = 0; i < 2; i++)
      dated.push(
        await api<License>("POST", "/licenses", {
          customerId,
          productId: otherProductId,
          expiresAt: "2031-01-01T00:00:00.000Z",
        }),
      );
  }, STEP_TIMEOUT_MS);

  it(
    "bulk-suspends three selected licenses after a confirmation",
    async () => {
      const chosen = [acme[0], acme[2], acme[4]].filter((l): l is License => l !== undefined);
      const rest = [acme[1], acme[3], acme[5], ...other].filter((l): l is License => l !== undefined);
      await page.goto(`${base}/licenses?product=${product.id}`);
      await rowOf(chosen[0] as License).waitFor();
      for (const license of chosen) await select(license);
      const toolbar = page.getByRole("toolbar", { name: "Bulk actions" });
      await toolbar.getByText("3 licenses selected").waitFor();
      await screenshot(page, "licenses-bulk-selected");

      const auditBefore = await handle.db.auditEvent.count();
      await confirmAction(page, toolbar.getByRole("button", { name: "Suspend" }), "Suspend");
      await page.getByRole("status", { name: "Bulk result" }).getByText("Suspended 3 licenses.").waitFor();
      // the selection is cleared, and the rows show the new status
      await toolbar.waitFor({ state: "detached" });
      for (const license of chosen) await rowOf(license).getByText("suspended").waitFor();
      await screenshot(page, "licenses-bulk-suspended");

      expect(await statuses(chosen.map((l) => l.id))).toEqual(["suspended", "suspended", "suspended"]);
      expect(await statuses(rest.map((l) => l.id))).toEqual(rest.map(() => "active"));
      const audits = await handle.db.auditEvent.findMany({
        where: { seq: { gt: auditBefore } },
        select: { action: true, targetId: true, summary: true },
      });
      expect(audits.map((a) => a.action)).toEqual(["license.suspend", "license.suspend", "license.suspend"]);
      expect(audits.map((a) => a.targetId).sort()).toEqual(chosen.map((l) => l.id).sort());
      expect(audits.every((a) => (JSON.parse(a.summary) as { bulk?: boolean }).bulk === true)).toBe(true);

      // one already suspended in a batch: the rest applied, the summary names the refused one
      const [suspended, active] = [chosen[0] as License, rest[0] as License];
      await select(suspended);
      await select(active);
      await toolbar.getByText("2 licenses selected").waitFor();
      await confirmAction(page, toolbar.getByRole("button", { name: "Suspend" }), "Suspend");
      const summary = page.getByRole("status", { name: "Bulk result" });
      await summary.getByText("Suspended 1 license; 1 refused:").waitFor();
      await summary.getByText(suspended.key).waitFor();
      await summary.getByText(/the license is suspended; suspend needs it to be active/).waitFor();
      expect(await statuses([active.id])).toEqual(["suspended"]);
      await screenshot(page, "licenses-bulk-refused");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "exports the filtered licenses to CSV, and the selected ones",
    async () => {
      // one of the other product's licenses suspended too: the product filter keeps it out
      await api("POST", `/licenses/${other[0]?.id ?? ""}/suspend`, { reason: "e2e" });
      const expected = (
        await handle.db.license.findMany({
          where: { productId: product.id, status: "suspended" },
          select: { id: true },
        })
      )
        .map((l) => l.id)
        .sort();
      expect(expected).toHaveLength(4);

      await page.goto(`${base}/licenses?product=${product.id}&status=suspended`);
      await page.getByRole("grid", { name: "Licenses" }).getByRole("row").nth(expected.length).waitFor();
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: "Export CSV" }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^licenses-\d{4}-\d{2}-\d{2}\.csv$/);
      const saved = join(OUTPUT_DIR, `filtered-${file.suggestedFilename()}`);
      await file.saveAs(saved);
      const rows = parseCsv(readFileSync(saved, "utf8"));
      expect(rows.map((r) => r.id).sort()).toEqual(expected);
      expect(rows.every((r) => r.status === "suspended" && r.productCode === product.code)).toBe(true);
      expect(rows.every((r) => r.customerName === "Initech")).toBe(true);

      // Export selected: just the rows ticked
      const picked = acme.slice(0, 2);
      await page.goto(`${base}/licenses?product=${product.id}`);
      for (const license of picked) await select(license);
      const selectedDownload = page.waitForEvent("download");
      await page
        .getByRole("toolbar", { name: "Bulk actions" })
        .getByRole("button", { name: "Export selected" })
        .click();
      const selectedFile = await selectedDownload;
      const selectedSaved = join(OUTPUT_DIR, `selected-${selectedFile.suggestedFilename()}`);
      await selectedFile.saveAs(selectedSaved);
      const selectedRows = parseCsv(readFileSync(selectedSaved, "utf8"));
      expect(selectedRows.map((r) => r.key).sort()).toEqual(picked.map((l) => l.key).sort());
      await screenshot(page, "licenses-export");

      // the customers and audit lists export with their filters too
      await page.goto(`${base}/customers?q=Initech`);
      await page.getByRole("grid").getByText("Initech LLC").waitFor();
      const customers = page.waitForEvent("download");
      await page.getByRole("link", { name: "Export CSV" }).click();
      const customersFile = await customers;
      expect(customersFile.suggestedFilename()).toMatch(/^customers-.*\.csv$/);
      const customersSaved = join(OUTPUT_DIR, customersFile.suggestedFilename());
      await customersFile.saveAs(customersSaved);
      expect(parseCsv(readFileSync(customersSaved, "utf8")).map((r) => r.name)).toEqual(["Initech"]);

      await page.goto(`${base}/audit?action=license.suspend`);
      await page.getByRole("heading", { name: "Audit log" }).waitFor();
      const audit = page.waitForEvent("download");
      await page.getByRole("link", { name: "Export CSV" }).click();
      const auditFile = await audit;
      const auditSaved = join(OUTPUT_DIR, auditFile.suggestedFilename());
      await auditFile.saveAs(auditSaved);
      const auditRows = parseCsv(readFileSync(auditSaved, "utf8"));
      expect(auditRows.length).toBe(
        await handle.db.auditEvent.count({ where: { action: "license.suspend" } }),
      );
      expect(auditRows.every((r) => r.action === "license.suspend")).toBe(true);

      // a license's sessions: the export link on its page answers the file
      await page.goto(`${base}/licenses/${acme[1]?.id ?? ""}`);
      const sessions = page.waitForEvent("download");
      await page.getByRole("link", { name: "Export CSV" }).click();
      const sessionsFile = await sessions;
      expect(sessionsFile.suggestedFilename()).toMatch(/^sessions-.*\.csv$/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renews selected licenses by days; a bad number is marked and sends nothing",
    async () => {
      await page.goto(`${base}/licenses?product=${otherProductId}`);
      for (const license of dated) await select(license);
      const toolbar = page.getByRole("toolbar", { name: "Bulk actions" });
      await toolbar.getByText("2 licenses selected").waitFor();
      await toolbar.getByRole("button", { name: "Renew…" }).click();
      const dialog = page.getByRole("dialog");
      const auditBefore = await handle.db.auditEvent.count();
      await dialog.getByLabel("Days").fill("0");
      await dialog.getByRole("button", { name: "Renew" }).click();
      await expectInvalid(dialog.getByLabel("Days"));
      expect(await handle.db.auditEvent.count()).toBe(auditBefore);

      await dialog.getByLabel("Days").fill("30");
      await dialog.getByRole("button", { name: "Renew" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("status", { name: "Bulk result" }).getByText("Renewed 2 licenses.").waitFor();
      const rows = await handle.db.license.findMany({
        where: { id: { in: dated.map((l) => l.id) } },
        select: { expiresAt: true },
      });
      expect(rows.map((r) => r.expiresAt?.toISOString())).toEqual([
        "2031-01-31T00:00:00.000Z",
        "2031-01-31T00:00:00.000Z",
      ]);
      const audits = await handle.db.auditEvent.findMany({
        where: { seq: { gt: auditBefore } },
        select: { action: true, summary: true },
      });
      expect(audits.map((a) => a.action)).toEqual(["license.renew", "license.renew"]);
      expect(audits.every((a) => (JSON.parse(a.summary) as { bulk?: boolean }).bulk === true)).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );
});
