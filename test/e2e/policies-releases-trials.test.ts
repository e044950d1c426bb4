// Policies, releases and trials in a browser (issue 15): a policy created in its dialog, a license
// issued from it with the picker (its terms filled in), the policy changed after the dialog said
// how many licenses the change reaches (and the license then showing it), a release published on
// the product page, and a trial started by the software (the licensing REST twin) converted on the
// trials page, the dashboard's conversion rate following. Set-up and the browser checks: support.ts.
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, screenshot } from "./browser.ts";
import { pick } from "./pickers.ts";
import {
  api,
  base,
  createInitech,
  defaultGroupIds,
  handle,
  newAdminPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";

const POLICY = "Standard floating";

describe.skipIf(browserMissing())("admin UI in a browser: policies, releases and trials", () => {
  startAdminUi();
  let page: Page;
  let customerId: string;
  let policyId: string;
  let licenseId: string;

  beforeAll(async () => {
    ({ page } = await newAdminPage());
    customerId = await createInitech();
  });

  it(
    "creates a policy on the product in its dialog",
    async () => {
      await page.goto(`${base}/policies?product=${product.id}`);
      await page.getByText("No policies").waitFor();
      await page.getByRole("button", { name: "New policy" }).click();
      const dialog = page.getByRole("dialog", { name: "New policy" });
      await dialog.getByLabel("Name").fill(POLICY);
      await dialog.getByLabel("Seats are").selectOption("floating");
      await dialog.getByLabel("Seats", { exact: true }).fill("5");
      await dialog.getByLabel("Duration (days)").fill("365");
      await dialog.getByLabel("Offline allowance (days)").fill("30");
      await dialog.getByLabel("Check-in interval (days)").fill("7");
      await dialog.getByLabel("After expiry").selectOption("maintain_versions");
      await dialog.getByLabel("Export to PDF (export-pdf)").check();
      await screenshot(page, "policy-create-dialog");
      await dialog.getByRole("button", { name: "Create policy" }).click();
      await page.waitForURL(/\/policies\/[^/?]+$/);
      policyId = page.url().split("/").pop() ?? "";
      await page.getByRole("heading", { name: POLICY }).waitFor();
      const stored = await handle.db.policy.findUniqueOrThrow({
        where: { id: policyId },
        include: { entitlements: { include: { feature: true } } },
      });
      expect(stored).toMatchObject({
        productId: product.id,
        name: POLICY,
        kind: "standard",
        type: "floating",
        seatLimit: 5,
        durationDays: 365,
        durationFrom: "issue",
        offlineAllowanceDays: 30,
        checkInIntervalDays: 7,
        expiryStrategy: "maintain_versions",
        overage: "none",
      });
      expect(stored.entitlements.map((e) => e.feature.code)).toEqual(["export-pdf"]);
      await page.getByTestId("policy-license-count").getByText("0").waitFor();
      await screenshot(page, "policy-detail");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "issues a license from the policy with the picker, which fills in the terms",
    async () => {
      await page.goto(`${base}/licenses/new?customerId=${customerId}`);
      await pick(page, "Product", "Acme", "Acme CAD (acme-cad)");
      await pick(page, "Policy", POLICY.slice(0, 6), POLICY);
      await expect.poll(() => page.getByLabel("Seats", { exact: true }).inputValue()).toBe("5");
      // the fields are filled in one render, which can land after the seats' poll saw "5"
      await expect.poll(() => page.getByLabel("Offline allowance (days)").inputValue()).toBe("30");
      await expect.poll(() => page.getByLabel("Check-in interval (days)").inputValue()).toBe("7");
      await expect.poll(() => page.getByLabel("After expiry").inputValue()).toBe("maintain_versions");
      expect(await page.getByLabel("Export to PDF (export-pdf)").isChecked()).toBe(true);
      await page.getByTestId("policy-terms-note").getByText(`Terms of ${POLICY}.`).waitFor();
      await screenshot(page, "license-issue-from-policy");
      await page.getByRole("button", { name: "Issue license" }).click();
      await page.waitForURL(/\/licenses\/(?!new)[^/]+$/);
      licenseId = page.url().split("/").pop() ?? "";
      const license = await handle.db.license.findUniqueOrThrow({
        where: { id: licenseId },
        include: { entitlements: { include: { feature: true } } },
      });
      expect(license).toMatchObject({
        customerId,
        productId: product.id,
        policyId,
        overrides: "[]",
        type: "floating",
        seatLimit: 5,
        offlineAllowanceDays: 30,
        checkInIntervalDays: 7,
        expiryStrategy: "maintain_versions",
      });
      expect(license.entitlements.map((e) => e.feature.code)).toEqual(["export-pdf"]);
      await page.getByRole("link", { name: POLICY }).waitFor();
      await page.getByTestId("license-overrides").getByText("nothing: all from the policy").waitFor();
      await page.getByText("every 7 days").waitFor();
      await screenshot(page, "license-detail-from-policy");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "changes the policy's seat limit: the dialog says 1 license before confirming, the license then has it",
    async () => {
      await page.goto(`${base}/policies/${policyId}`);
      await page.getByTestId("policy-license-count").getByText("1").waitFor();
      await page.getByRole("button", { name: "Edit" }).click();
      const dialog = page.getByRole("dialog", { name: `Edit policy ${POLICY}` });
      await dialog.getByLabel("Seats", { exact: true }).fill("8");
      await dialog.getByRole("button", { name: "Review change" }).click();
      await dialog
        .getByTestId("policy-change-preview")
        .getByText("This change will update 1 license.")
        .waitFor();
      await screenshot(page, "policy-change-preview");
      // nothing written before the confirmation
      expect((await handle.db.license.findUniqueOrThrow({ where: { id: licenseId } })).seatLimit).toBe(5);
      await dialog.getByRole("button", { name: "Update 1 license" }).click();
      await dialog.waitFor({ state: "detached" });
      await expect
        .poll(async () => (await handle.db.policy.findUniqueOrThrow({ where: { id: policyId } })).seatLimit)
        .toBe(8);
      expect((await handle.db.license.findUniqueOrThrow({ where: { id: licenseId } })).seatLimit).toBe(8);
      const events = await handle.db.auditEvent.findMany({
        where: { targetId: policyId, action: "policy.update" },
        select: { action: true },
      });
      expect(events).toHaveLength(1);

      await page.goto(`${base}/licenses/${licenseId}`);
      await page.getByText("in use of 8").waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "publishes a release on the product page and lists it",
    async () => {
      await page.goto(`${base}/products/${product.id}`);
      await page.getByText("No releases").waitFor();
      // the policies card lists the product's policy
      await page.getByRole("link", { name: POLICY }).waitFor();
      await page.getByRole("button", { name: "Publish release" }).click();
      const dialog = page.getByRole("dialog", { name: "Publish a release" });
      await dialog.getByLabel("Version").fill("v2.4.0");
      await dialog.getByLabel("Released on").fill("2026-01-15");
      await dialog.getByLabel("Notes").fill("PDF export");
      await dialog.getByRole("button", { name: "Publish release" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("rowheader", { name: "2.4.0" }).waitFor();
      const release = await handle.db.release.findFirstOrThrow({ where: { productId: product.id } });
      expect(release).toMatchObject({ version: "2.4.0", notes: "PDF export" });
      expect(release.releasedAt.toISOString()).toBe("2026-01-15T00:00:00.000Z");
      await screenshot(page, "product-releases");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a trial the software started is listed, converted in the dialog, and the dashboard's rate follows",
    async () => {
      await api("POST", "/policies", {
        productId: product.id,
        name: "Trial",
        kind: "trial",
        type: "node_locked",
        seatLimit: 1,
        durationDays: 14,
        trialGroupId: defaultGroupIds[0],
      });
      // the shipped software starts it through the licensing API's REST twin
      const response = await fetch(`${base}/api/v1/client/start-trial`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          nonce: randomBytes(16).toString("base64"),
          client: {
            productCode: product.code,
            fingerprint: "fp-trial-01",
            clientVersion: "2.4.0",
            hostname: "ws-trial-01",
          },
        }),
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { status: string; licenseKey: string };
      expect(answer.status).toBe("STATUS_CODE_VALID");

      await page.goto(`${base}/`);
      const rate = page.locator('[data-stat="Trial conversion (30 days)"]');
      await expect.poll(() => rate.textContent()).toBe("0 %");

      await page.goto(`${base}/trials`);
      const row = page.getByRole("row", { name: /ws-trial-01/ });
      await row.getByText("running").waitFor();
      await row.getByText(answer.licenseKey).waitFor();
      await screenshot(page, "trials-list");
      await row.getByRole("button", { name: "Convert" }).click();
      const dialog = page.getByRole("dialog", { name: "Convert trial" });
      await pick(dialog, "Customer", "Initech");
      await pick(dialog, "Policy", POLICY.slice(0, 6), POLICY, "mouse");
      await dialog.getByRole("button", { name: "Convert to paid license" }).click();
      await dialog.waitFor({ state: "detached" });
      await row.getByText("converted", { exact: true }).waitFor();
      const trial = await handle.db.trial.findFirstOrThrow({
        where: { productId: product.id },
        include: { license: true },
      });
      expect(trial.convertedAt).not.toBeNull();
      expect(trial).toMatchObject({ convertedBy: "admin", convertedLicenseId: trial.licenseId });
      expect(trial.license).toMatchObject({ trial: false, customerId, policyId, key: answer.licenseKey });

      // the filter shows it among the converted ones, not among the running ones
      await page.goto(`${base}/trials?status=converted`);
      await page.getByRole("row", { name: /ws-trial-01/ }).waitFor();
      await page.goto(`${base}/trials?status=active`);
      await page.getByText("No trials").waitFor();

      await page.goto(`${base}/`);
      await expect.poll(() => rate.textContent()).toBe("100 %");
      await page.getByText("1 of 1 trial converted").waitFor();
      await screenshot(page, "dashboard-trials");
    },
    STEP_TIMEOUT_MS,
  );
});
