// Bad input in a browser says what is wrong in the user's terms, next to its field, and changes
// nothing: the "Issue license" page (seats, heartbeat, offline allowance, a past expiry), the
// renew dialog (−10 days, a past date), the offline-file dialog (400 days and more than the
// license allows); a fixed value drops its message at once. Sign-in and profile errors (a wrong
// password, a wrong TOTP code) are alerts (role="alert"), not boxes that look like inputs.
// Set-up and the browser checks: support.ts; the wording: src/server/core/shared/messages.ts.
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { browserMissing, screenshot, type PageWatcher } from "./browser.ts";
import {
  ADMIN,
  api,
  apiLogin,
  base,
  createInitech,
  dbCount,
  defaultGroupIds,
  handle,
  newAdminPage,
  newPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";

/** The error text a field is described by (react-aria links its FieldError with aria-describedby). */
async function messageOf(field: Locator): Promise<string> {
  return field.evaluate((element) =>
    (element.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter((node): node is HTMLElement => node?.getAttribute("data-slot") === "field-error")
      .map((node) => node.textContent.trim())
      .join(" | "),
  );
}

/** `field` is marked invalid and described by exactly `message`. */
async function expectMessage(field: Locator, message: string): Promise<void> {
  await expect
    .poll(async () => [await field.getAttribute("aria-invalid"), await messageOf(field)], { timeout: 10_000 })
    .toEqual(["true", message]);
}

/** `field` is no longer marked, and no message describes it. */
async function expectNoMessage(field: Locator): Promise<void> {
  await expect
    .poll(async () => [await field.getAttribute("aria-invalid"), await messageOf(field)], { timeout: 10_000 })
    .toEqual([null, ""]);
}

describe.skipIf(browserMissing())("admin UI in a browser: validation messages and error alerts", () => {
  startAdminUi();
  let page: Page;
  let watcher: PageWatcher;
  let customerId: string;

  beforeAll(async () => {
    ({ page, watcher } = await newAdminPage());
    customerId = await createInitech();
  });

  it(
    "the Issue license page words each bad term next to its field and issues nothing",
    async () => {
      const before = await dbCount("license");
      // the customer and product come with the link (the page's own "Issue license" links do so)
      await page.goto(`${base}/licenses/new?customerId=${customerId}&productId=${product.id}`);
      const seats = page.getByLabel("Seats", { exact: true });
      const heartbeat = page.getByLabel("Heartbeat interval (seconds)");
      const offline = page.getByLabel("Offline allowance (days)");
      const grace = page.getByLabel("Grace period (hours)");
      const expires = page.getByLabel("Expires on");
      await seats.fill("-1");
      await heartbeat.fill("5");
      await offline.fill("400");
      await grace.fill("3000");
      await page.getByRole("button", { name: "Issue license" }).click();
      await expectMessage(seats, "at least 1 seat");
      await expectMessage(heartbeat, "at least 30 seconds");
      await expectMessage(offline, "at most 365 days");
      await expectMessage(grace, "at most 2,160 hours");
      await screenshot(page, "messages-issue-license");
      expect(await dbCount("license")).toBe(before);

      // each fixed value drops its own message at once; the others stay until fixed
      await seats.fill("3");
      await expectNoMessage(seats);
      await expectMessage(heartbeat, "at least 30 seconds");
      await heartbeat.fill("300");
      await offline.fill("30");
      await grace.fill("1");
      await expectNoMessage(heartbeat);
      await expectNoMessage(offline);
      await expectNoMessage(grace);

      // a past expiry: the server knows the start (now) and says so in the user's words
      await expires.fill("2020-01-31");
      await watcher.allowDuring(/status of 400/, async () => {
        await page.getByRole("button", { name: "Issue license" }).click();
        await expectMessage(expires, "the expiry must be after the start date");
      });
      expect(await dbCount("license")).toBe(before);

      // all fixed: the license is issued with the fixed values
      await expires.fill("2031-01-31");
      await expectNoMessage(expires);
      await page.getByRole("button", { name: "Issue license" }).click();
      await page.waitForURL(/\/licenses\/(?!new)[^/?]+$/);
      expect(await dbCount("license")).toBe(before + 1);
      const issued = await handle.db.license.findFirstOrThrow({
        where: { customerId },
        orderBy: { createdAt: "desc" },
        select: { seatLimit: true, heartbeatIntervalSeconds: true, offlineAllowanceDays: true },
      });
      expect(issued).toEqual({ seatLimit: 3, heartbeatIntervalSeconds: 300, offlineAllowanceDays: 30 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "the renew and offline-file dialogs word bad days next to the field and change nothing",
    async () => {
      const license = await api<{ id: string }>("POST", "/licenses", {
        customerId,
        productId: product.id,
        type: "floating",
        seatLimit: 2,
        offlineAllowanceDays: 30,
        expiresAt: "2030-06-30T00:00:00.000Z",
      });
      const state = async () => ({
        license: await handle.db.license.findUniqueOrThrow({
          where: { id: license.id },
          select: { expiresAt: true, status: true },
        }),
        renewals: await handle.db.auditEvent.count({
          where: { targetId: license.id, action: "license.renew" },
        }),
        files: await handle.db.offlineIssuance.count({ where: { licenseId: license.id } }),
      });
      const before = await state();
      await page.goto(`${base}/licenses/${license.id}`);

      // renew by −10 days: marked in the form, nothing sent
      await page.getByRole("button", { name: "Renew" }).click();
      const renew = page.getByRole("dialog", { name: "Renew license" });
      const days = renew.getByLabel("Days");
      await days.fill("-10");
      await renew.getByRole("button", { name: "Renew" }).click();
      await expectMessage(days, "at least 1 day");
      await days.fill("5000");
      await renew.getByRole("button", { name: "Renew" }).click();
      await expectMessage(days, "at most 3,650 days");
      await screenshot(page, "messages-renew");
      await days.fill("30");
      await expectNoMessage(days);
      // to a date in the past: the server says why at the field
      await renew.getByLabel("How").selectOption("date");
      const date = renew.getByLabel("New expiry");
      await date.fill("2020-01-31");
      await watcher.allowDuring(/status of 400/, async () => {
        await renew.getByRole("button", { name: "Renew" }).click();
        await expectMessage(date, "the new expiry must be in the future");
      });
      await date.fill("2031-01-31");
      await expectNoMessage(date);
      await renew.getByRole("button", { name: "Cancel" }).click();
      await renew.waitFor({ state: "detached" });
      expect(await state()).toEqual(before);

      // the offline file: the format's limit and the license's own allowance, both named
      await page.getByRole("button", { name: "Download .lic" }).click();
      const file = page.getByRole("dialog", { name: "Offline license file" });
      const valid = file.getByLabel("Valid for (days)");
      await valid.fill("400");
      await file.getByRole("button", { name: "Download" }).click();
      await expectMessage(valid, "at most 365 days; this license allows at most 30 days");
      await screenshot(page, "messages-offline-file");
      await valid.fill("100");
      await expectNoMessage(valid);
      await file.getByRole("button", { name: "Download" }).click();
      await expectMessage(valid, "this license allows at most 30 days");
      await valid.fill("0");
      await file.getByRole("button", { name: "Download" }).click();
      await expectMessage(valid, "at least 1 day");
      await valid.fill("10");
      await expectNoMessage(valid);
      await file.getByRole("button", { name: "Cancel" }).click();
      await file.waitFor({ state: "detached" });
      // reopened: no message left from before
      await page.getByRole("button", { name: "Download .lic" }).click();
      await expectNoMessage(file.getByLabel("Valid for (days)"));
      await file.getByRole("button", { name: "Cancel" }).click();
      expect(await state()).toEqual(before);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a wrong TOTP code on the profile page is an alert that goes once the code changes",
    async () => {
      await page.goto(`${base}/profile`);
      await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
      const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
      const code = page.getByLabel("2. Enter the 6-digit code it shows");
      await code.fill(await wrongCode(secret));
      await watcher.allowDuring(/status of 400/, async () => {
        await page.getByRole("button", { name: "Turn on" }).click();
        const alert = page.getByRole("alert").filter({ hasText: "Two-factor authentication is still off" });
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/the code is not valid/i);
      });
      await expectMessage(code, "is not valid");
      await screenshot(page, "messages-profile-totp");
      await code.fill("1");
      await page
        .getByRole("alert")
        .filter({ hasText: "Two-factor authentication is still off" })
        .waitFor({ state: "detached" });
      await expectNoMessage(code);
      const admin = await handle.db.admin.findUniqueOrThrow({
        where: { email: ADMIN.email },
        select: { totpEnabled: true },
      });
      expect(admin.totpEnabled).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a wrong password and a wrong TOTP code on sign-in are alerts (role=alert) with the reason",
    async () => {
      // an editor with two-factor authentication on, enrolled through the REST API
      const editor = { email: "tess@example.com", password: "tess's long password" };
      await api("POST", "/admins", {
        email: editor.email,
        name: "Tess Totp",
        role: "editor",
        password: editor.password,
        groupIds: defaultGroupIds,
      });
      const token = (await apiLogin(editor)).token ?? "";
      const enrolled = await api<{ secret: string }>("POST", "/profile/totp/enroll", {}, token);
      await api(
        "POST",
        "/profile/totp/confirm",
        { code: await totpCode(enrolled.secret, new Date()) },
        token,
      );

      const { page: signInPage, watcher: signInWatcher } = await newPage();
      await signInPage.goto(`${base}/sign-in`);
      await signInPage.getByLabel("Email or directory user name").fill(editor.email);
      await signInPage.getByLabel("Password").fill("not the password");
      await signInWatcher.allowDuring(/status of 401/, async () => {
        await signInPage.getByRole("button", { name: "Sign in" }).click();
        const alert = signInPage.getByRole("alert").filter({ hasText: "Could not sign in" });
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/wrong email or password/i);
        // an alert, not a field: no input inside it
        expect(await alert.locator("input, textarea").count()).toBe(0);
      });
      await screenshot(signInPage, "messages-sign-in-wrong-password");

      await signInPage.getByLabel("Password").fill(editor.password);
      await signInWatcher.allowDuring(/status of 401/, async () => {
        await signInPage.getByRole("button", { name: "Sign in" }).click();
        await signInPage.getByLabel("Authentication code").waitFor();
        await signInPage.getByLabel("Authentication code").fill(await wrongCode(enrolled.secret));
        await signInPage.getByRole("button", { name: "Verify" }).click();
        const alert = signInPage.getByRole("alert").filter({ hasText: "The code was not accepted" });
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/code is not valid/i);
      });
      await screenshot(signInPage, "messages-sign-in-wrong-totp");
      // still signed out
      expect(signInPage.url()).toContain("/sign-in");
      const failures = await handle.db.admin.findUniqueOrThrow({
        where: { email: editor.email },
        select: { totpEnabled: true },
      });
      expect(failures.totpEnabled).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );
});

/** A six-digit code that is none of the codes the secret gives around now. */
async function wrongCode(secret: string): Promise<string> {
  const now = Date.now();
  const near = new Set(
    await Promise.all([-2, -1, 0, 1, 2].map((step) => totpCode(secret, new Date(now + step * 30_000)))),
  );
  for (let n = 0; ; n++) {
    const candidate = String((123_456 + n * 7919) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) return candidate;
  }
}
