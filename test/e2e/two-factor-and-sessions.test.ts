// The super admin's own account in a browser: enrolling TOTP on the profile page and signing in
// with password and code, an expired session signed back into with a recovery code, new recovery
// codes and turning two-factor off, signing out everywhere. Two tests that need an admin signed in
// with a code run here too: turning "require two-factor" off (refused to any other sign-in) and
// the tour that saves a screenshot of each main page (the README's pictures show an admin with
// two-factor on). Set-up and the browser checks: support.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { browserMissing, screenshot, type PageWatcher } from "./browser.ts";
import {
  ADMIN,
  api,
  apiLogin,
  base,
  client,
  confirmAction,
  createInitech,
  expectInvalid,
  handle,
  newPage,
  product,
  signIn,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";

/** the super admin's TOTP secret and its recovery codes, once enrolled through the UI */
const twoFactor = { secret: "", recoveryCodes: [] as string[] };

/** The super admin's TOTP code for a time step the server has not accepted yet (each works once). */
async function freshTotpCode(): Promise<string> {
  for (;;) {
    const { totpLastStep } = await handle.db.admin.findUniqueOrThrow({
      where: { email: ADMIN.email },
      select: { totpLastStep: true },
    });
    const now = Math.floor(Date.now() / 30_000);
    const step = [now, now + 1].find((s) => totpLastStep === null || s > totpLastStep);
    if (step !== undefined) return totpCode(twoFactor.secret, new Date(step * 30_000));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// without chromium the whole suite skips, its set-up (the build and start) too
describe.skipIf(browserMissing())("admin UI in a browser: two-factor and sessions", () => {
  startAdminUi();
  let page: Page;
  let watcher: PageWatcher;
  let customerId: string;
  let licenseId: string;

  beforeAll(async () => {
    // what the licensing tests make in the UI, for the tour: Initech and a license it lost
    customerId = await createInitech();
    const license = await api<{ id: string }>("POST", "/licenses", {
      customerId,
      productId: product.id,
      seatLimit: 5,
      type: "floating",
      expiresAt: "2027-12-31T00:00:00.000Z",
      offlineAllowanceDays: 60,
    });
    await api("POST", `/licenses/${license.id}/revoke`, {});
    licenseId = license.id;
  });

  it(
    "enrolls TOTP with the QR code on the profile page, then signs in with password and code",
    async () => {
      ({ page, watcher } = await newPage());
      // not signed in: the sign-in page, which comes back here afterwards
      await page.goto(`${base}/`);
      await page.waitForURL(/\/sign-in\?callbackUrl=%2F/);
      await screenshot(page, "sign-in");
      await signIn(page, watcher, ADMIN);
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();

      await page.getByTestId("me").click();
      await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
      await expect(
        page.getByRole("img", { name: "QR code of your TOTP secret" }).getAttribute("src"),
      ).resolves.toMatch(/^data:image\/png;base64,/);
      twoFactor.secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
      expect(twoFactor.secret).toMatch(/^[A-Z2-7]{16,}$/);
      await page
        .getByLabel("2. Enter the 6-digit code it shows")
        .fill(await totpCode(twoFactor.secret, new Date()));
      await page.getByRole("button", { name: "Turn on" }).click();
      const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
      await codes.first().waitFor();
      expect(await codes.count()).toBe(10);
      twoFactor.recoveryCodes = await codes.allTextContents();
      await screenshot(page, "profile-recovery-codes");
      const admin = await handle.db.admin.findUniqueOrThrow({ where: { email: ADMIN.email } });
      expect(admin.totpEnabled).toBe(true);

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(/\/sign-in/);
      // the next time step: the code just used for enrollment is accepted once only
      await signIn(page, watcher, ADMIN, () => totpCode(twoFactor.secret, new Date(Date.now() + 30_000)));
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      await page.getByText("Active licenses").waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "saves a screenshot of each main page, light and dark",
    async () => {
      // some life for the pictures: a license expiring soon, with live sessions and recorded use
      const calls = await handle.db.feature.findFirstOrThrow({
        where: { productId: product.id, code: "api-calls" },
      });
      const busy = await api<{ id: string; key: string }>("POST", "/licenses", {
        customerId,
        productId: product.id,
        seatLimit: 10,
        expiresAt: new Date(Date.now() + 12 * 86_400_000).toISOString(),
        offlineAllowanceDays: 30,
        entitlements: [{ featureId: calls.id, quota: 5000, quotaPeriod: "day" }],
      });
      for (const [index, host] of ["ws-berlin-01", "ws-berlin-02", "build-agent-7"].entries()) {
        await client(busy.key, "validate", host);
        await client(busy.key, "activate", host);
        await client(busy.key, "record-usage", host, {
          featureCode: "api-calls",
          amount: 120 * (index + 1),
          idempotencyKey: host,
        });
      }

      const pages: [string, string][] = [
        ["license-detail-live", `/licenses/${busy.id}`],
        ["dashboard", "/"],
        ["customers", "/customers"],
        ["customer-detail", `/customers/${customerId}`],
        ["licenses", "/licenses"],
        ["license-detail-revoked", `/licenses/${licenseId}`],
        ["products", "/products"],
        ["product-detail", `/products/${product.id}`],
        ["groups", "/groups"],
        ["admins", "/admins"],
        ["api-keys", "/api-keys"],
        ["audit-log", "/audit"],
        ["signing-keys", "/signing-keys"],
        ["settings", "/settings"],
        ["profile", "/profile"],
      ];
      for (const [name, path] of pages) {
        await page.goto(`${base}${path}`);
        await page.locator("main h1").first().waitFor();
        await screenshot(page, name);
      }
      // the README's pictures: what fits a laptop screen
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${base}/`);
      await page.locator("main h1").first().waitFor();
      await screenshot(page, "readme-dashboard", true);
      await page.goto(`${base}/licenses/${busy.id}`);
      await page.getByTestId("license-key").waitFor();
      await screenshot(page, "readme-license-detail", true);
      await page.setViewportSize({ width: 1440, height: 900 });
      // filters and pages live in the URL
      await page.goto(`${base}/audit?action=license.&targetType=license`);
      await page.getByRole("button", { name: "Verify the chain" }).click();
      await page.getByText("The chain is intact").waitFor();
      await expect(page.getByLabel("Action").inputValue()).resolves.toBe("license.");
      await screenshot(page, "audit-log-filtered");

      await page.goto(`${base}/`);
      await page.getByLabel("Colour scheme").selectOption("dark");
      await expect(page.locator("html").getAttribute("class")).resolves.toContain("dark");
      await page.reload();
      await expect(page.locator("html").getAttribute("class")).resolves.toContain("dark");
      await page.getByText("Active licenses").waitFor();
      await screenshot(page, "dashboard-dark");
      await page.goto(`${base}/licenses/${licenseId}`);
      await page.getByTestId("license-key").waitFor();
      await screenshot(page, "license-detail-dark");
      await page.getByLabel("Colour scheme").selectOption("light");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "an expired session returns to sign-in and back to the page",
    async () => {
      await page.goto(`${base}/customers/${customerId}`);
      await page.getByRole("heading", { name: "Initech" }).waitFor();
      // the session cookie of a session that has ended: the API answers 401, the UI goes to sign-in
      await page.context().clearCookies();
      await page.context().addCookies([{ name: "next-auth.session-token", value: "ended", url: base }]);
      await watcher.allowDuring(/status of 401/, async () => {
        await page.reload();
        await page.waitForURL(/\/sign-in\?callbackUrl=/);
        await page.getByText("Your session has ended").waitFor();
        // a recovery code stands in for the authenticator, once
        await signIn(page, watcher, ADMIN, () => Promise.resolve(twoFactor.recoveryCodes[0] ?? ""));
      });
      await page.waitForURL(`${base}/customers/${customerId}`);
      await page.getByRole("heading", { name: "Initech" }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates a group (a name is required) and toggles a server setting",
    async () => {
      const groupsBefore = await handle.db.group.count();
      await page.goto(`${base}/groups`);
      await page.getByRole("button", { name: "New group" }).click();
      const dialog = page.getByRole("dialog", { name: "New group" });
      await dialog.getByRole("button", { name: "Create group" }).click();
      await expectInvalid(dialog.getByLabel("Name"));
      expect(await handle.db.group.count()).toBe(groupsBefore);
      await dialog.getByLabel("Name").fill("EMEA resellers");
      await dialog.getByLabel("Description").fill("Partners in Europe");
      await dialog.getByRole("button", { name: "Create group" }).click();
      await page.getByRole("rowheader", { name: "EMEA resellers" }).waitFor();
      await expect(
        handle.db.group.findUniqueOrThrow({
          where: { name: "EMEA resellers" },
          select: { description: true },
        }),
      ).resolves.toEqual({ description: "Partners in Europe" });

      const requireTwoFactor = async () => {
        const row = await handle.db.setting.findUnique({ where: { key: "settings" } });
        return row ? (JSON.parse(row.value) as { requireTwoFactor?: boolean }).requireTwoFactor : undefined;
      };
      await page.goto(`${base}/settings`);
      const toggle = page.getByLabel("Require two-factor authentication");
      expect(await toggle.isChecked()).toBe(false);
      try {
        await toggle.check();
        await page.getByText("Settings saved").first().waitFor();
        expect(await requireTwoFactor()).toBe(true);
        await page.reload();
        expect(await toggle.isChecked()).toBe(true);
        await toggle.uncheck();
        await expect.poll(requireTwoFactor, { timeout: 10_000 }).toBe(false);
      } finally {
        // left on, it would hold the later tests' admins to enrolling two-factor
        await api("PATCH", "/settings", { requireTwoFactor: false });
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "makes new recovery codes (the old ones stop working), then turns two-factor off with password and code",
    async () => {
      await page.goto(`${base}/profile`);
      const regenerate = page.locator("form", {
        has: page.getByRole("heading", { name: "New recovery codes" }),
      });
      await regenerate.getByLabel("Current code").fill(await freshTotpCode());
      await regenerate.getByRole("button", { name: "Make new codes" }).click();
      const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
      await codes.first().waitFor();
      const fresh = await codes.allTextContents();
      expect(fresh).toHaveLength(10);
      expect(fresh.filter((code) => twoFactor.recoveryCodes.includes(code))).toEqual([]);
      // shown once
      await page.getByRole("button", { name: "I have saved them" }).click();
      await codes.first().waitFor({ state: "detached" });
      expect(await page.content()).not.toContain(fresh[0]);
      // an unused old code is refused now, a new one signs in
      expect((await apiLogin({ ...ADMIN, totp: twoFactor.recoveryCodes[1] })).status).toBe(401);
      expect((await apiLogin({ ...ADMIN, totp: fresh[0] })).status).toBe(200);

      const stored = () =>
        handle.db.admin.findUniqueOrThrow({
          where: { email: ADMIN.email },
          select: { totpEnabled: true, totpSecretEnc: true },
        });
      const turnOff = page.locator("form", { has: page.getByRole("heading", { name: "Turn off" }) });
      await turnOff.getByLabel("Password").fill("not the password");
      await turnOff.getByLabel("Current code").fill(await freshTotpCode());
      await watcher.allowDuring(/status of 400/, async () => {
        await turnOff.getByRole("button", { name: "Turn off two-factor" }).click();
        await expectInvalid(turnOff.getByLabel("Password"));
      });
      expect((await stored()).totpEnabled).toBe(true);
      await turnOff.getByLabel("Password").fill(ADMIN.password);
      await turnOff.getByLabel("Current code").fill(await freshTotpCode());
      await turnOff.getByRole("button", { name: "Turn off two-factor" }).click();
      await page.getByText("Two-factor authentication is off").waitFor();
      await page.getByRole("button", { name: "Set up two-factor authentication" }).waitFor();
      await expect(stored()).resolves.toEqual({ totpEnabled: false, totpSecretEnc: null });
      // the password alone signs in now
      expect((await apiLogin(ADMIN)).status).toBe(200);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "sign out everywhere on the profile page ends this browser's session and another one's",
    async () => {
      const other = await newPage();
      await signIn(other.page, other.watcher, ADMIN);
      await page.goto(`${base}/profile`);
      const table = page.getByRole("grid", { name: "Signed-in browsers" });
      await table.getByRole("row").nth(2).waitFor();
      await screenshot(page, "profile-web-sessions");
      const cookiesBefore = await other.page.context().cookies();
      await watcher.allowDuring(/status of 401/, async () => {
        await confirmAction(
          page,
          page.getByRole("button", { name: "Sign out everywhere" }),
          "Sign out everywhere",
        );
        await page.waitForURL(/\/sign-in/);
      });
      // the other browser's cookie is dead: next-auth's refresh hands out no session, the API refuses it
      expect(cookiesBefore.some((c) => c.name === "next-auth.session-token")).toBe(true);
      const session = await other.page.request.get(`${base}/api/auth/session`);
      expect(await session.json()).toEqual({});
      await other.watcher.allowDuring(/status of 401/, async () => {
        await other.page.goto(`${base}/licenses`);
        await other.page.waitForURL(/\/sign-in/);
      });
      expect(
        await handle.db.webSession.count({ where: { admin: { email: ADMIN.email }, revokedAt: null } }),
      ).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );
});
