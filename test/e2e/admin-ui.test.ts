// End to end through a real browser: the built app (`npm start`: next build + next start + the
// sidecar) on SQLite with a fresh data directory, driven by playwright-core in Debian's chromium.
// Every step checks the database after what the UI did, each main page is saved as a screenshot
// in test-output/e2e, and any browser console error, uncaught error or request leaving the server
// fails the test.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/launcher.ts";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { cleanEnv, LauncherProcess } from "../app/launcher-process.ts";
import { launchBrowser, OUTPUT_DIR, PageWatcher, reportCspViolations, screenshot } from "./browser.ts";

/** A build of the app (or waiting for another launcher's) on a busy 2-core machine, then the start. */
const BOOT_TIMEOUT_MS = 420_000;
const STEP_TIMEOUT_MS = 180_000;

const ADMIN = { email: "owner@example.com", password: "correct horse battery staple" };
const VIEWER = { email: "viewer@example.com", password: "viewer password 123" };
/** an editor who changes their password on the profile page, then gets disabled */
const EDITOR = {
  email: "pat@example.com",
  password: "pat's first password",
  newPassword: "pat's second password",
};

let base: string;
let browser: Browser;
let handle: DbHandle;
/** undone in reverse order after the tests, whatever got as far as being made */
const cleanups: (() => Promise<unknown>)[] = [];
let adminToken: string;
let product: { id: string; code: string; name: string };
/** the super admin's TOTP secret and its recovery codes, once enrolled through the UI */
const twoFactor = { secret: "", recoveryCodes: [] as string[] };
/** the Default group's id */
let defaultGroupIds: string[];
const contexts: BrowserContext[] = [];
const watchers: PageWatcher[] = [];

async function api<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** POST /api/v1/auth/login: the answer's status, and the token when it signed in. */
async function apiLogin(who: { email: string; password: string; totp?: string }): Promise<{
  status: number;
  token?: string;
}> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  const body = (await response.json()) as { token?: string };
  return { status: response.status, token: body.token };
}

/** One call of the licensing REST twin (/api/v1/client/...) as the shipped software makes it. */
async function client(licenseKey: string, operation: string, fingerprint: string, extra: object = {}) {
  const response = await fetch(`${base}/api/v1/client/${operation}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      licenseKey,
      nonce: randomBytes(16).toString("base64"),
      client: { productCode: product.code, fingerprint, clientVersion: "2.4.0", hostname: fingerprint },
      ...extra,
    }),
  });
  expect(response.status, `${operation} from ${fingerprint}`).toBe(200);
}

/** A form field marked invalid (at once for the form's own check, after the answer for the server's). */
async function expectInvalid(field: Locator): Promise<void> {
  await expect.poll(() => field.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
}

/** Presses a button that asks first, then the confirmation dialog's `confirmLabel`. */
async function confirmAction(page: Page, button: Locator, confirmLabel: string): Promise<void> {
  await button.click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: confirmLabel }).click();
  await dialog.waitFor({ state: "detached" });
}

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

async function newPage(): Promise<{ page: Page; watcher: PageWatcher }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await reportCspViolations(context);
  contexts.push(context);
  const watcher = new PageWatcher(context, base);
  watchers.push(watcher);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { page, watcher };
}

/** Password sign-in; with `totp`, the second step too (its first attempt answers 401 by design). */
async function signIn(
  page: Page,
  watcher: PageWatcher,
  who: { email: string; password: string },
  totp?: () => Promise<string>,
): Promise<void> {
  if (!page.url().includes("/sign-in")) await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email or directory user name").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await watcher.allowDuring(/status of 401.*\/api\/auth\/callback\/credentials/, async () => {
    await page.getByRole("button", { name: "Sign in" }).click();
    if (totp) {
      await page.getByLabel("Authentication code").fill(await totp());
      await page.getByRole("button", { name: "Verify" }).click();
    }
    await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
  });
}

async function dbCount(table: "customer" | "license" | "apiKey"): Promise<number> {
  const db = handle.db as unknown as Record<string, { count: () => Promise<number> }>;
  const model = db[table];
  if (!model) throw new Error(`no table ${table}`);
  return model.count();
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "ls-e2e-"));
  cleanups.push(() => {
    rmSync(dataDir, { recursive: true, force: true });
    return Promise.resolve();
  });
  const [port, grpcPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  const run = new LauncherProcess({
    ...cleanEnv(),
    LOG_LEVEL: "info",
    DATA_DIR: dataDir,
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    LICENSE_SERVER_ADMIN_EMAIL: ADMIN.email,
    LICENSE_SERVER_ADMIN_PASSWORD: ADMIN.password,
  });
  cleanups.push(async () => {
    run.child.kill("SIGINT");
    await run.waitForExit(30_000).catch(() => {
      run.kill();
    });
  });
  const started = Date.now();
  await run.waitForLog((l) => l.name === "launcher" && l.msg === "ready", BOOT_TIMEOUT_MS);
  console.info(`e2e: app built (if needed) and started in ${Date.now() - started} ms`);
  handle = await openDatabase({ provider: "sqlite", url: join(dataDir, "license.db") });
  cleanups.push(() => handle.close());
  browser = await launchBrowser();
  cleanups.push(() => browser.close());

  // the catalog and a viewer through the REST API (the UI flows below make everything else)
  adminToken = (await apiLogin(ADMIN)).token ?? "";
  product = await api("POST", "/products", { code: "acme-cad", name: "Acme CAD" });
  await api("POST", `/products/${product.id}/features`, { code: "export-pdf", name: "Export to PDF" });
  await api("POST", `/products/${product.id}/features`, {
    code: "api-calls",
    name: "API calls",
    kind: "metered",
    unit: "calls",
  });
  const groups = await api<{ items: { id: string }[] }>("GET", "/groups?q=Default");
  defaultGroupIds = groups.items.map((g) => g.id);
  await api("POST", "/admins", {
    email: VIEWER.email,
    name: "Vera Viewer",
    role: "viewer",
    password: VIEWER.password,
    groupIds: defaultGroupIds,
  });
}, BOOT_TIMEOUT_MS + 60_000);

afterEach((context) => {
  // console errors, uncaught errors, requests that left the server: none allowed
  const problems = watchers.flatMap((w) => w.take());
  expect(problems, `browser problems in "${context.task.name}"`).toEqual([]);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 60_000);

describe("admin UI in a browser", () => {
  let page: Page;
  let watcher: PageWatcher;
  let customerId: string;
  let licenseId: string;

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
      await dialog.getByText(/invalid email/i).waitFor();
      await screenshot(page, "customer-form-error");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      expect(await dbCount("customer")).toBe(customersBefore);

      // a number out of range on the license form: marked, nothing issued
      const licensesBefore = await dbCount("license");
      await page.goto(`${base}/licenses/new`);
      await page.getByLabel("Seats", { exact: true }).fill("0");
      await page.getByRole("button", { name: "Issue license" }).click();
      await expectInvalid(page.getByLabel("Seats", { exact: true }));
      await expectInvalid(page.getByLabel("Customer"));
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
      await page.getByLabel("Product").selectOption({ label: "Acme CAD (acme-cad)" });
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
    "creates an API key, shows it once, and the key works",
    async () => {
      const before = await dbCount("apiKey");
      await page.goto(`${base}/api-keys`);
      await page.getByRole("button", { name: "New API key" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("billing sync");
      await dialog.getByLabel("Role").selectOption("editor");
      await dialog.getByRole("button", { name: "Create key" }).click();
      const shown = page.getByRole("dialog", { name: "Your new API key" });
      const key = await shown.getByLabel("API key").inputValue();
      expect(key).toMatch(/^lsk_/);
      await screenshot(page, "api-key-shown-once");
      await shown.getByRole("button", { name: "Done" }).click();
      await page.getByRole("rowheader", { name: "billing sync" }).waitFor();
      expect(await dbCount("apiKey")).toBe(before + 1);
      // the key is not in the page any more, and it authenticates as an editor
      expect(await page.content()).not.toContain(key);
      const customers = await api<{ total: number }>("GET", "/customers", undefined, key);
      expect(customers.total).toBeGreaterThan(0);
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
    "a viewer sees a read-only UI, and the server refuses writes anyway",
    async () => {
      const { page: viewerPage, watcher: viewerWatcher } = await newPage();
      await viewerPage.goto(`${base}/sign-in`);
      await signIn(viewerPage, viewerWatcher, VIEWER);
      const nav = viewerPage.getByRole("complementary", { name: "Main navigation" });
      await nav.getByRole("link", { name: "Customers" }).waitFor();
      for (const hidden of ["Admins", "Audit log", "Signing keys"]) {
        expect(await nav.getByRole("link", { name: hidden }).count(), hidden).toBe(0);
      }
      expect(await viewerPage.getByText("Recent audit events").count()).toBe(0);

      await viewerPage.goto(`${base}/customers`);
      await viewerPage.getByRole("rowheader", { name: "Initech" }).waitFor();
      expect(await viewerPage.getByRole("button", { name: "New customer" }).count()).toBe(0);
      await viewerPage.goto(`${base}/customers/${customerId}`);
      await viewerPage.getByRole("heading", { name: "Initech" }).waitFor();
      for (const name of ["Edit", "Delete", "Archive"]) {
        expect(await viewerPage.getByRole("button", { name }).count(), name).toBe(0);
      }
      expect(await viewerPage.getByRole("link", { name: "Issue license" }).count()).toBe(0);

      // an active license of the viewer's group: still no way to change it
      const license = await api<{ id: string }>("POST", "/licenses", {
        customerId,
        productId: product.id,
        seatLimit: 2,
        offlineAllowanceDays: 10,
      });
      await viewerPage.goto(`${base}/licenses/${license.id}`);
      await viewerPage.getByTestId("license-key").waitFor();
      await viewerPage.getByRole("button", { name: "Copy key" }).waitFor();
      for (const name of ["Suspend", "Revoke", "Renew", "Download .lic"]) {
        expect(await viewerPage.getByRole("button", { name }).count(), name).toBe(0);
      }
      await screenshot(viewerPage, "viewer-license-detail");
      await viewerPage.goto(`${base}/products/${product.id}`);
      await viewerPage.getByRole("heading", { name: "Acme CAD" }).waitFor();
      for (const name of ["Add feature", "Edit"]) {
        expect(await viewerPage.getByRole("button", { name }).count(), name).toBe(0);
      }

      // the server refuses anyway: a write sent with the viewer's session from the page
      const customersBefore = await dbCount("customer");
      const status = await viewerWatcher.allowDuring(/status of 403/, () =>
        viewerPage.evaluate(async () => {
          const response = await fetch("/api/trpc/customers.create", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "Sneaky", groupId: "x" }),
          });
          return response.status;
        }),
      );
      expect(status).toBe(403);
      expect(await dbCount("customer")).toBe(customersBefore);
      await expect(
        handle.db.license.findUniqueOrThrow({ where: { id: license.id }, select: { status: true } }),
      ).resolves.toEqual({ status: "active" });
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
      await dialog.getByText(/invalid email/i).waitFor();
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
      await page.getByRole("button", { name: "Edit" }).click();
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
    "changes the password on the profile page: a wrong current one changes nothing, the new one signs in",
    async () => {
      await api("POST", "/admins", {
        email: EDITOR.email,
        name: "Pat Editor",
        role: "editor",
        password: EDITOR.password,
        groupIds: defaultGroupIds,
      });
      const stored = () =>
        handle.db.admin.findUniqueOrThrow({
          where: { email: EDITOR.email },
          select: { passwordHash: true, passwordChangedAt: true },
        });
      const before = await stored();
      const { page: editorPage, watcher: editorWatcher } = await newPage();
      await signIn(editorPage, editorWatcher, EDITOR);
      await editorPage.goto(`${base}/profile`);
      const fill = async (current: string) => {
        await editorPage.getByLabel("Current password").fill(current);
        await editorPage.getByLabel(/^New password/).fill(EDITOR.newPassword);
        await editorPage.getByLabel("Repeat the new password").fill(EDITOR.newPassword);
        await editorPage.getByRole("button", { name: "Change password" }).click();
      };
      await editorWatcher.allowDuring(/status of 400/, async () => {
        await fill("not my password at all");
        await expectInvalid(editorPage.getByLabel("Current password"));
      });
      await editorPage.getByText("is not your current password").first().waitFor();
      expect(await stored()).toEqual(before);

      await fill(EDITOR.password);
      await editorPage.getByText("Password changed: sign in again with the new one").waitFor();
      // every earlier session ends, this one too: back to the sign-in page
      await editorPage.waitForURL(/\/sign-in/);
      const after = await stored();
      expect(after.passwordHash).not.toBe(before.passwordHash);
      expect(after.passwordChangedAt?.getTime()).toBeGreaterThan(before.passwordChangedAt?.getTime() ?? 0);
      expect((await apiLogin(EDITOR)).status).toBe(401);
      await signIn(editorPage, editorWatcher, { email: EDITOR.email, password: EDITOR.newPassword });
      await editorPage.getByRole("heading", { name: "Dashboard" }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a super admin disables an admin, who then cannot sign in",
    async () => {
      await page.goto(`${base}/admins`);
      await page
        .getByRole("row", { name: new RegExp(EDITOR.email) })
        .getByRole("button", { name: "Edit" })
        .click();
      const dialog = page.getByRole("dialog", { name: `Edit ${EDITOR.email}` });
      await dialog.getByLabel("Disabled", { exact: true }).check();
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      await page
        .getByRole("row", { name: new RegExp(EDITOR.email) })
        .locator('[data-status="disabled"]')
        .waitFor();
      await expect(
        handle.db.admin.findUniqueOrThrow({ where: { email: EDITOR.email }, select: { disabled: true } }),
      ).resolves.toEqual({ disabled: true });
      // the right password, but the account is disabled
      expect((await apiLogin({ email: EDITOR.email, password: EDITOR.newPassword })).status).toBe(401);
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

  it(
    "runs under the Content-Security-Policy: no violation on the pages, an injected inline script is blocked, the API reference renders, no framing",
    async () => {
      const { page: fresh, watcher: freshWatcher } = await newPage();
      // a signed-in tour of the main pages: any CSP violation is a console error (afterEach fails it)
      await signIn(fresh, freshWatcher, ADMIN);
      for (const path of ["/", "/licenses", "/customers", "/products", "/audit", "/profile"]) {
        await fresh.goto(`${base}${path}`);
        await fresh.getByRole("heading").first().waitFor();
      }
      // the policy is enforced: inline code someone manages to inject does not run
      await freshWatcher.allowDuring(/CSP violation|Content Security Policy/, async () => {
        const outcome = await fresh.evaluate(async () => {
          const violated = new Promise<string>((resolve) => {
            document.addEventListener("securitypolicyviolation", (event) => {
              resolve(event.violatedDirective);
            });
            setTimeout(() => {
              resolve("none");
            }, 3000);
          });
          // what an HTML injection would add: an inline event handler (needs 'unsafe-inline')
          document.body.insertAdjacentHTML(
            "beforeend",
            '<img alt="" src="data:image/png;base64,AAAA" onerror="window.__injected = true">',
          );
          const directive = await violated;
          return { directive, ran: (window as { __injected?: boolean }).__injected === true };
        });
        // refused by the policy (the positive control), and not run
        expect(outcome.directive).toMatch(/^script-src/);
        expect(outcome.ran).toBe(false);
      });
      // Swagger UI under its own policy: the operations render, nothing is refused
      await fresh.goto(`${base}/api/docs`);
      await fresh.locator(".swagger-ui .opblock").first().waitFor();
      expect(await fresh.locator(".swagger-ui .opblock").count()).toBeGreaterThan(20);
      // clickjacking: a page of another origin framing the app gets nothing
      await freshWatcher.allowDuring(/frame-ancestors|Refused to (display|frame)/, async () => {
        // a page of no origin of ours and no policy of its own, framing the sign-in page
        await fresh.goto("about:blank");
        await fresh.setContent(`<iframe id="f" src="${base}/sign-in" width="800" height="600"></iframe>`);
        await fresh.waitForTimeout(1500);
        const frame = fresh.frames().find((f) => f !== fresh.mainFrame());
        const signInShown = frame
          ? await frame
              .getByLabel("Email or directory user name")
              .count()
              .catch(() => 0)
          : 0;
        expect(signInShown).toBe(0);
      });
    },
    STEP_TIMEOUT_MS,
  );
});
