// Editing records after they were made, in a browser: a license's terms and expiry (its audit
// entry on the page, the row in the database), a bad value and a server refusal in the dialog, a
// term taken back from the license's policy, its entitlements; a group and a feature; a viewer
// sees no edit buttons and the API refuses the viewer's edits; a super admin resets another admin's
// password. Set-up and the browser checks:
// support.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, screenshot, type PageWatcher } from "./browser.ts";
import {
  api,
  apiLogin,
  base,
  createInitech,
  defaultGroupIds,
  expectInvalid,
  handle,
  newAdminPage,
  newPage,
  product,
  signIn,
  startAdminUi,
  STEP_TIMEOUT_MS,
  VIEWER,
} from "./support.ts";

interface Created {
  id: string;
}

describe.skipIf(browserMissing())("admin UI in a browser: edit dialogs", () => {
  startAdminUi();
  let page: Page;
  let watcher: PageWatcher;
  let customerId: string;
  let licenseId: string;
  let features: { id: string; code: string }[];

  const storedLicense = () =>
    handle.db.license.findUniqueOrThrow({
      where: { id: licenseId },
      select: {
        seatLimit: true,
        heartbeatIntervalSeconds: true,
        gracePeriodHours: true,
        expiresAt: true,
        overrides: true,
        updatedAt: true,
        entitlements: { select: { quota: true, quotaPeriod: true, feature: { select: { code: true } } } },
      },
    });

  beforeAll(async () => {
    ({ page, watcher } = await newAdminPage());
    customerId = await createInitech();
    features = await api<{ id: string; code: string }[]>("GET", `/products/${product.id}/features`);
    const exportPdf = features.find((f) => f.code === "export-pdf");
    const license = await api<Created>("POST", "/licenses", {
      customerId,
      productId: product.id,
      seatLimit: 3,
      expiresAt: "2027-06-30T00:00:00Z",
      entitlements: [{ featureId: exportPdf?.id }],
    });
    licenseId = license.id;
  }, STEP_TIMEOUT_MS);

  it(
    "edits a license's terms and expiry: the page, its audit trail and the database show the change",
    async () => {
      await page.goto(`${base}/licenses/${licenseId}`);
      await page.getByText("0 in use of 3").waitFor();
      await page.getByRole("button", { name: "Edit terms" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit license terms" });
      // the dialog starts from the license's values
      expect(await dialog.getByLabel("Seats", { exact: true }).inputValue()).toBe("3");
      expect(await dialog.getByLabel("Expires", { exact: true }).inputValue()).toBe("2027-06-30");
      await dialog.getByLabel("Seats", { exact: true }).fill("8");
      await dialog.getByLabel("Heartbeat interval (seconds)").fill("600");
      await dialog.getByLabel("Expires", { exact: true }).fill("2028-03-31");
      await screenshot(page, "license-edit-terms");
      await dialog.getByRole("button", { name: "Save terms" }).click();
      await dialog.waitFor({ state: "detached" });

      await page.getByText("0 in use of 8").waitFor();
      await page.getByText("every 600 s").waitFor();
      await page.getByText(/^31 Mar 2028 \(in \d+ days\)$/).waitFor(); // the details, not the audit entry
      const audit = page
        .getByRole("grid", { name: "Audit events" })
        .or(page.getByRole("table", { name: "Audit events" }));
      await audit.getByText("license.update", { exact: true }).waitFor();

      const stored = await storedLicense();
      expect(stored).toMatchObject({ seatLimit: 8, heartbeatIntervalSeconds: 600 });
      expect(stored.expiresAt?.toISOString()).toBe("2028-03-31T00:00:00.000Z");
      const events = await handle.db.auditEvent.findMany({
        where: { targetId: licenseId, action: "license.update" },
        select: { summary: true, actorLabel: true },
      });
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]?.summary ?? "{}")).toEqual({
        seatLimit: { from: 3, to: 8 },
        heartbeatIntervalSeconds: { from: 300, to: 600 },
        expiresAt: { from: "2027-06-30T00:00:00.000Z", to: "2028-03-31T00:00:00.000Z" },
      });
      await screenshot(page, "license-detail-edited");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a bad value is marked at its field and a refusal shows in the dialog; nothing changes",
    async () => {
      const before = await storedLicense();
      await page.goto(`${base}/licenses/${licenseId}`);
      await page.getByRole("button", { name: "Edit terms" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit license terms" });

      // the form's own check (the server's schema): nothing is sent
      await dialog.getByLabel("Seats", { exact: true }).fill("0");
      await dialog.getByRole("button", { name: "Save terms" }).click();
      await expectInvalid(dialog.getByLabel("Seats", { exact: true }));
      await dialog.getByLabel("Seats", { exact: true }).fill("8");

      // valid in the form, refused by the server: an expiry before the license's start
      await dialog.getByLabel("Expires", { exact: true }).fill("2020-01-01");
      await watcher.allowDuring(/status of 400/, async () => {
        await dialog.getByRole("button", { name: "Save terms" }).click();
        await dialog.getByTestId("dialog-refusal").waitFor();
      });
      await expectInvalid(dialog.getByLabel("Expires", { exact: true }));
      expect(await dialog.getByTestId("dialog-refusal").textContent()).toMatch(/after the start/);
      await screenshot(page, "license-edit-refused");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });

      // opened again: the license's values, no old refusal
      await page.getByRole("button", { name: "Edit terms" }).click();
      expect(await dialog.getByLabel("Expires", { exact: true }).inputValue()).toBe("2028-03-31");
      expect(await dialog.getByTestId("dialog-refusal").count()).toBe(0);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      expect(await storedLicense()).toEqual(before);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "edits a license's entitlements",
    async () => {
      await page.goto(`${base}/licenses/${licenseId}`);
      await page.getByRole("button", { name: "Edit entitlements" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit entitlements" });
      const exportPdf = dialog.getByLabel("Export to PDF (export-pdf)");
      await exportPdf.waitFor();
      expect(await exportPdf.isChecked()).toBe(true);
      await exportPdf.uncheck();
      await dialog.getByLabel("API calls (api-calls)").check();
      await dialog.getByLabel("Quota for api-calls").fill("5000");
      await dialog.getByLabel("Per", { exact: true }).selectOption("day");
      await dialog.getByRole("button", { name: "Save entitlements" }).click();
      await dialog.waitFor({ state: "detached" });

      const table = page
        .getByRole("grid", { name: "Entitlements" })
        .or(page.getByRole("table", { name: "Entitlements" }));
      await table.getByText("API calls (api-calls)").waitFor();
      expect(await table.getByText("Export to PDF (export-pdf)").count()).toBe(0);
      const stored = await storedLicense();
      expect(stored.entitlements.map((e) => [e.feature.code, e.quota, e.quotaPeriod])).toEqual([
        ["api-calls", 5000, "day"],
      ]);
      await page
        .getByRole("grid", { name: "Audit events" })
        .or(page.getByRole("table", { name: "Audit events" }))
        .getByText("license.entitlements", { exact: true })
        .waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a term set on a policy's license is taken from the policy again",
    async () => {
      const policy = await api<Created>("POST", "/policies", {
        productId: product.id,
        name: "Pro yearly",
        seatLimit: 10,
        durationDays: 365,
      });
      const issued = await api<Created & { overrides: string[] }>("POST", "/licenses", {
        customerId,
        policyId: policy.id,
        seatLimit: 2,
      });
      expect(issued.overrides).toEqual(["seatLimit"]);
      await page.goto(`${base}/licenses/${issued.id}`);
      await page.getByTestId("license-overrides").getByText("Seats").waitFor();
      await page.getByRole("button", { name: "Edit terms" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit license terms" });
      await dialog.getByLabel("Seats: take the policy's").check();
      // the field shows the policy's value, and cannot be changed while inherited
      await expect.poll(() => dialog.getByLabel("Seats", { exact: true }).inputValue()).toBe("10");
      expect(await dialog.getByLabel("Seats", { exact: true }).isDisabled()).toBe(true);
      await dialog.getByRole("button", { name: "Save terms" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByText("nothing: all from the policy").waitFor();
      const stored = await handle.db.license.findUniqueOrThrow({
        where: { id: issued.id },
        select: { seatLimit: true, overrides: true },
      });
      expect(stored).toEqual({ seatLimit: 10, overrides: "[]" });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "edits a group and a feature",
    async () => {
      const group = await api<Created>("POST", "/groups", { name: "Support EU", description: "" });
      await page.goto(`${base}/groups`);
      await page.getByRole("button", { name: "Edit group Support EU" }).click();
      const dialog = page.getByRole("dialog", { name: "Edit group Support EU" });
      expect(await dialog.getByLabel("Name").inputValue()).toBe("Support EU");
      await dialog.getByLabel("Name").fill("Support Europe");
      await dialog.getByLabel("Description").fill("Customers served from Dublin");
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("gridcell", { name: "Customers served from Dublin" }).waitFor();
      expect(
        await handle.db.group.findUniqueOrThrow({
          where: { id: group.id },
          select: { name: true, description: true },
        }),
      ).toEqual({ name: "Support Europe", description: "Customers served from Dublin" });

      // a name taken by another group: the server refuses, the dialog says so and stays open
      await page.getByRole("button", { name: "Edit group Support Europe" }).click();
      const again = page.getByRole("dialog", { name: "Edit group Support Europe" });
      await again.getByLabel("Name").fill("Default");
      await watcher.allowDuring(/status of 409/, async () => {
        await again.getByRole("button", { name: "Save" }).click();
        await again.getByTestId("dialog-refusal").waitFor();
      });
      await again.getByRole("button", { name: "Cancel" }).click();
      await again.waitFor({ state: "detached" });
      expect((await handle.db.group.findUniqueOrThrow({ where: { id: group.id } })).name).toBe(
        "Support Europe",
      );

      const apiCalls = features.find((f) => f.code === "api-calls");
      await page.goto(`${base}/products/${product.id}`);
      await page.getByRole("button", { name: "Edit feature api-calls" }).click();
      const featureDialog = page.getByRole("dialog", { name: "Edit feature api-calls" });
      await featureDialog.getByLabel("Name").fill("API requests");
      await featureDialog.getByLabel("Unit").fill("requests");
      await featureDialog.getByRole("button", { name: "Save" }).click();
      await featureDialog.waitFor({ state: "detached" });
      await page.getByText("metered (requests)").waitFor();
      expect(
        await handle.db.feature.findUniqueOrThrow({
          where: { id: apiCalls?.id },
          select: { code: true, name: true, unit: true, kind: true },
        }),
      ).toEqual({ code: "api-calls", name: "API requests", unit: "requests", kind: "metered" });
      const audit = await handle.db.auditEvent.findMany({
        where: { action: { in: ["group.update", "feature.update"] } },
        select: { action: true },
      });
      expect(audit.map((e) => e.action).sort()).toEqual(["feature.update", "group.update"]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a viewer sees no edit buttons, and the API refuses the viewer's edits",
    async () => {
      const viewer = await newPage();
      await signIn(viewer.page, viewer.watcher, VIEWER);
      await viewer.page.goto(`${base}/licenses/${licenseId}`);
      await viewer.page.getByText("0 in use of 8").waitFor();
      expect(await viewer.page.getByRole("button", { name: "Edit terms" }).count()).toBe(0);
      expect(await viewer.page.getByRole("button", { name: "Edit entitlements" }).count()).toBe(0);
      await viewer.page.goto(`${base}/groups`);
      // a viewer sees the groups they are in
      await viewer.page.getByText("Default", { exact: true }).first().waitFor();
      expect(await viewer.page.getByRole("button", { name: /^Edit group/ }).count()).toBe(0);
      await viewer.page.goto(`${base}/products/${product.id}`);
      await viewer.page.getByText("metered (requests)").waitFor();
      expect(await viewer.page.getByRole("button", { name: /^Edit feature/ }).count()).toBe(0);

      const token = (await apiLogin(VIEWER)).token ?? "";
      const before = await storedLicense();
      const group = await handle.db.group.findFirstOrThrow({ where: { name: "Support Europe" } });
      const feature = features.find((f) => f.code === "export-pdf");
      for (const [path, body] of [
        [`/licenses/${licenseId}`, { seatLimit: 50, expiresAt: "2030-01-01T00:00:00Z" }],
        [`/groups/${group.id}`, { name: "Taken over" }],
        [`/features/${feature?.id}`, { name: "Taken over" }],
      ] as const) {
        const response = await fetch(`${base}/api/v1${path}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(response.status, `PATCH ${path} as a viewer`).toBe(403);
      }
      const entitlements = await fetch(`${base}/api/v1/licenses/${licenseId}/entitlements`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ entitlements: [] }),
      });
      expect(entitlements.status).toBe(403);
      expect(await storedLicense()).toEqual(before);
      expect((await handle.db.group.findUniqueOrThrow({ where: { id: group.id } })).name).toBe(
        "Support Europe",
      );
      expect(defaultGroupIds.length).toBeGreaterThan(0);
      // the next step resets this viewer's password, which ends their web sessions
      await viewer.page.context().close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a super admin resets another admin's password",
    async () => {
      const password = "Lantern orbit fjord 2931";
      await page.goto(`${base}/admins`);
      await page.getByRole("button", { name: `Reset the password of ${VIEWER.email}` }).click();
      const dialog = page.getByRole("dialog", { name: `Reset the password of ${VIEWER.email}` });
      await dialog.getByLabel("New password").fill(password);
      await dialog.getByRole("button", { name: "Set password" }).click();
      await dialog.waitFor({ state: "detached" });
      expect((await apiLogin({ email: VIEWER.email, password })).status).toBe(200);
      expect((await apiLogin(VIEWER)).status).toBe(401);
      const admin = await handle.db.admin.findUniqueOrThrow({ where: { email: VIEWER.email } });
      expect(
        await handle.db.auditEvent.count({ where: { action: "admin.password_reset", targetId: admin.id } }),
      ).toBe(1);
    },
    STEP_TIMEOUT_MS,
  );
});
