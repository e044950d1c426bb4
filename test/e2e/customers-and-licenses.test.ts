// Customers and licenses in a browser: a form's field errors (its own check and the server's
// refusal) with nothing written, a customer made in the UI and a license issued to it, its .lic
// downloaded, suspended and revoked; the customer and a product edited in their dialogs; a license
// renewed, a live session ended and a bound machine released. Set-up and the browser checks:
// support.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, OUTPUT_DIR, screenshot, type PageWatcher } from "./browser.ts";
import { pick, picker } from "./pickers.ts";
import {
  api,
  base,
  client,
  confirmAction,
  dbCount,
  expectInvalid,
  handle,
  newAdminPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";

// without chromium the whole suite skips, its set-up (the build and start) too
describe.skipIf(browserMissing())("admin UI in a browser: customers and licenses", () => {
  startAdminUi();
  let page: Page;
  let watcher: PageWatcher;
  let customerId: string;
  let licenseId: string;

  beforeAll(async () => {
    ({ page, watcher } = await newAdminPage());
  });

  it(
    "a bad form input shows the field error and writes nothing",
    async () => {
      const customersBefore = await dbCount("customer");
      await page.goto(`${base}/customers`);
      await page.getByRole("button", { name: "New customer" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("Bad Email Inc");
      await dialog.getByLabel("Email").fill("not-an-email");
      await dialog.getByRole("button", { name: "Create customer" }).click();
      await expectInvalid(dialog.getByLabel("Email"));
      await dialog.getByText("must be an email address").waitFor();
      await screenshot(page, "customer-form-error");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      expect(await dbCount("customer")).toBe(customersBefore);

      // a number out of range on the license form: marked, nothing issued
      const licensesBefore = await dbCount("license");
      await page.goto(`${base}/licenses/new`);
      await page.getByLabel("Seats", { exact: true }).fill("0");
      await page.getByRole("button", { name: "Issue license" }).click();
      await expectInvalid(page.getByLabel("Seats", { exact: true }));
      await expectInvalid(picker(page, "Customer"));
      expect(await dbCount("license")).toBe(licensesBefore);

      // valid in form but refused by the server (a product code taken): its message in a toast,
      // the field it names marked
      const productsBefore = await handle.db.product.count();
      await page.goto(`${base}/products`);
      await page.getByRole("button", { name: "New product" }).click();
      const productDialog = page.getByRole("dialog");
      await productDialog.getByLabel("Name").fill("Acme CAD again");
      await productDialog.getByLabel("Code").fill("acme-cad");
      await watcher.allowDuring(/status of 409/, async () => {
        await productDialog.getByRole("button", { name: "Create product" }).click();
        await page
          .getByText(/already exists/)
          .first()
          .waitFor();
      });
      await productDialog.getByText("already in use").waitFor();
      await expectInvalid(productDialog.getByLabel("Code"));
      await screenshot(page, "product-form-server-error");
      await productDialog.getByRole("button", { name: "Cancel" }).click();
      expect(await handle.db.product.count()).toBe(productsBefore);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a customer, issues a license, downloads its .lic, suspends and revokes it",
    async () => {
      await page.goto(`${base}/customers`);
      await page.getByRole("button", { name: "New customer" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("Initech");
      await dialog.getByLabel("Email").fill("it@initech.example");
      await dialog.getByLabel("Company").fill("Initech LLC");
      await dialog.getByRole("button", { name: "Create customer" }).click();
      await page.waitForURL(/\/customers\/[^/]+$/);
      customerId = page.url().split("/").pop() ?? "";
      await page.getByRole("heading", { name: "Initech" }).waitFor();
      const customer = await handle.db.customer.findUniqueOrThrow({ where: { id: customerId } });
      expect(customer).toMatchObject({
        name: "Initech",
        email: "it@initech.example",
        company: "Initech LLC",
      });
      await screenshot(page, "customer-detail-empty");

      await page.getByRole("link", { name: "Issue license" }).first().click();
      await page.waitForURL(/\/licenses\/new\?customerId=/);
      await pick(page, "Product", "Acme", "Acme CAD (acme-cad)");
      await page.getByLabel("Export to PDF (export-pdf)").check();
      await page.getByLabel("API calls (api-calls)").check();
      await page.getByLabel("Quota for api-calls").fill("10000");
      await page.getByLabel("Seats", { exact: true }).fill("5");
      await page.getByLabel("Seats are").selectOption("floating");
      await page.getByLabel("Expires on").fill("2027-12-31");
      await page.getByLabel("Offline allowance (days)").fill("60");
      await screenshot(page, "license-issue-form");
      await page.getByRole("button", { name: "Issue license" }).click();
      await page.waitForURL(/\/licenses\/(?!new)[^/]+$/);
      licenseId = page.url().split("/").pop() ?? "";
      const key = (await page.getByTestId("license-key").textContent()) ?? "";
      const license = await handle.db.license.findUniqueOrThrow({
        where: { id: licenseId },
        include: { entitlements: { include: { feature: true } } },
      });
      expect(license).toMatchObject({
        key,
        customerId,
        productId: product.id,
        seatLimit: 5,
        type: "floating",
        status: "active",
        offlineAllowanceDays: 60,
      });
      expect(license.expiresAt?.toISOString()).toBe("2027-12-31T00:00:00.000Z");
      expect(license.entitlements.map((e) => [e.feature.code, e.quota, e.quotaPeriod]).sort()).toEqual([
        ["api-calls", 10000, "month"],
        ["export-pdf", null, "total"],
      ]);
      await page.getByRole("button", { name: "Copy key" }).click();
      await page.getByText("License key copied to the clipboard").waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
      await screenshot(page, "license-detail");

      // the offline file, through the browser's download
      await page.getByRole("button", { name: "Download .lic" }).click();
      const download = page.waitForEvent("download");
      await page.getByRole("dialog").getByRole("button", { name: "Download" }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.lic$/);
      const saved = join(OUTPUT_DIR, file.suggestedFilename());
      await file.saveAs(saved);
      const content = readFileSync(saved, "utf8");
      expect(content.length).toBeGreaterThan(100);
      expect(content).toMatch(/LICENSE/);
      await page.getByRole("gridcell", { name: "any" }).waitFor();
      expect(await handle.db.offlineIssuance.count({ where: { licenseId } })).toBe(1);

      await page.getByRole("button", { name: "Suspend" }).click();
      const confirm = page.getByRole("dialog");
      await confirm.getByLabel("Reason (optional, shown on the license)").fill("invoice overdue");
      await confirm.getByRole("button", { name: "Suspend" }).click();
      await page.locator('[data-status="suspended"]').first().waitFor();
      await expect(
        handle.db.license.findUniqueOrThrow({
          where: { id: licenseId },
          select: { status: true, statusReason: true },
        }),
      ).resolves.toEqual({ status: "suspended", statusReason: "invoice overdue" });

      await confirmAction(page, page.getByRole("button", { name: "Revoke" }), "Revoke license");
      await page.locator('[data-status="revoked"]').first().waitFor();
      await expect(
        handle.db.license.findUniqueOrThrow({ where: { id: licenseId }, select: { status: true } }),
      ).resolves.toEqual({ status: "revoked" });
      // a revoked license offers no way back
      expect(await page.getByRole("button", { name: "Reinstate" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "Renew" }).count()).toBe(0);
      const actions = await handle.db.auditEvent.findMany({
        where: { targetId: licenseId },
        orderBy: { seq: "asc" },
        select: { action: true },
      });
      expect(actions.map((a) => a.action)).toEqual(
        expect.arrayContaining(["license.create", "license.suspend", "license.revoke"]),
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "edits a customer and a product in their dialogs; a bad value shows the field error and writes nothing",
    async () => {
      const stored = () => handle.db.customer.findUniqueOrThrow({ where: { id: customerId } });
      const before = await stored();
      await page.goto(`${base}/customers/${customerId}`);
      await page.getByRole("button", { name: "Edit" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit customer" });
      await expect(dialog.getByLabel("Company").inputValue()).resolves.toBe("Initech LLC");
      await dialog.getByLabel("Email").fill("billing-at-initech");
      await dialog.getByRole("button", { name: "Save" }).click();
      await expectInvalid(dialog.getByLabel("Email"));
      await dialog.getByText("must be an email address").waitFor();
      expect(await stored()).toEqual(before);

      await dialog.getByLabel("Email").fill("billing@initech.example");
      await dialog.getByLabel("Company").fill("Initech Holdings");
      await dialog.getByLabel("Notes").fill("Pays by wire transfer.");
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByText("Initech Holdings · billing@initech.example").waitFor();
      await page.getByText("Pays by wire transfer.").waitFor();
      expect(await stored()).toMatchObject({
        name: "Initech",
        email: "billing@initech.example",
        company: "Initech Holdings",
        notes: "Pays by wire transfer.",
      });

      // a product's name and description (its code stays)
      const storedProduct = () =>
        handle.db.product.findUniqueOrThrow({
          where: { id: product.id },
          select: { code: true, name: true, description: true },
        });
      await page.goto(`${base}/products/${product.id}`);
      await page.getByRole("button", { name: "Edit", exact: true }).click();
      const productDialog = page.getByRole("dialog", { name: "Edit product" });
      await productDialog.getByLabel("Name").fill(" ");
      await productDialog.getByLabel("Description").fill("Computer-aided design");
      await productDialog.getByRole("button", { name: "Save" }).click();
      await expectInvalid(productDialog.getByLabel("Name"));
      expect(await storedProduct()).toEqual({ code: "acme-cad", name: "Acme CAD", description: "" });
      await productDialog.getByLabel("Name").fill("Acme CAD 2027");
      await productDialog.getByRole("button", { name: "Save" }).click();
      await productDialog.waitFor({ state: "detached" });
      await page.getByRole("heading", { name: "Acme CAD 2027" }).waitFor();
      await page.getByText("Computer-aided design").waitFor();
      expect(await storedProduct()).toEqual({
        code: "acme-cad",
        name: "Acme CAD 2027",
        description: "Computer-aided design",
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "renews a license by days and to a date, ends a live session and releases a bound machine",
    async () => {
      const license = await api<{ id: string; key: string }>("POST", "/licenses", {
        customerId,
        productId: product.id,
        type: "node_locked",
        seatLimit: 2,
        expiresAt: "2027-06-30T00:00:00.000Z",
      });
      for (const host of ["ws-lab-01", "ws-lab-02"]) await client(license.key, "activate", host);
      const expiry = async () =>
        (
          await handle.db.license.findUniqueOrThrow({
            where: { id: license.id },
            select: { expiresAt: true },
          })
        ).expiresAt?.toISOString();
      // the Terms' expiry (a definition in their list)
      const shown = (text: string) => page.getByRole("definition").filter({ hasText: text }).waitFor();
      await page.goto(`${base}/licenses/${license.id}`);
      await shown("30 Jun 2027");

      const dialog = page.getByRole("dialog", { name: "Renew license" });
      const submitRenew = async (field: string, value: string) => {
        await dialog.getByLabel(field).fill(value);
        await dialog.getByRole("button", { name: "Renew" }).click();
      };
      const renewed = async (text: string, iso: string) => {
        await dialog.waitFor({ state: "detached" });
        await shown(text);
        expect(await expiry()).toBe(iso);
      };

      // renew by a number of days: none given is marked, nothing renewed
      await page.getByRole("button", { name: "Renew" }).click();
      await submitRenew("Days", "");
      await expectInvalid(dialog.getByLabel("Days"));
      expect(await expiry()).toBe("2027-06-30T00:00:00.000Z");
      await submitRenew("Days", "30");
      await renewed("30 Jul 2027", "2027-07-30T00:00:00.000Z");

      // to a date: one in the past is refused by the server at its field
      await page.getByRole("button", { name: "Renew" }).click();
      await dialog.getByLabel("How").selectOption("date");
      await watcher.allowDuring(/status of 400/, async () => {
        await submitRenew("New expiry", "2020-01-31");
        await expectInvalid(dialog.getByLabel("New expiry"));
      });
      expect(await expiry()).toBe("2027-07-30T00:00:00.000Z");
      await submitRenew("New expiry", "2028-03-15");
      await renewed("15 Mar 2028", "2028-03-15T00:00:00.000Z");

      // the two machines' sessions and bindings
      const openSession = (fingerprint: string) =>
        handle.db.session.findFirstOrThrow({ where: { licenseId: license.id, fingerprint } });
      const sessions = page.getByRole("grid", { name: "Live sessions" });
      const machines = page.getByRole("grid", { name: "Bound machines" });
      await machines.getByRole("row", { name: /ws-lab-02/ }).waitFor();
      await screenshot(page, "license-detail-node-locked");
      await confirmAction(
        page,
        sessions.getByRole("row", { name: /ws-lab-01/ }).getByRole("button", { name: "End" }),
        "End session",
      );
      await sessions.getByRole("row", { name: /ws-lab-01/ }).waitFor({ state: "detached" });
      const ended = await openSession("ws-lab-01");
      expect(ended.endedAt).toBeInstanceOf(Date);
      expect(ended.endReason).toBe("admin");
      expect((await openSession("ws-lab-02")).endedAt).toBeNull();

      await confirmAction(
        page,
        machines.getByRole("row", { name: /ws-lab-02/ }).getByRole("button", { name: "Release" }),
        "Release",
      );
      await machines.getByRole("row", { name: /ws-lab-02/ }).waitFor({ state: "detached" });
      const bound = await handle.db.machineBinding.findMany({ where: { licenseId: license.id } });
      expect(bound.map((m) => m.fingerprint)).toEqual(["ws-lab-01"]);
      // releasing a machine ends its session too, and the page says so without waiting for its refresh
      expect((await openSession("ws-lab-02")).endedAt).toBeInstanceOf(Date);
      await page.getByText("No open sessions").waitFor({ timeout: 5000 });
      await shown("0 in use of 2");
    },
    STEP_TIMEOUT_MS,
  );
});
