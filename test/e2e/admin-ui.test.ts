// End to end through a real browser: the built app (`npm start`: next build + next start + the
// sidecar) on SQLite with a fresh data directory, driven by playwright-core in Debian's chromium.
// Every step checks the database after what the UI did, each main page is saved as a screenshot
// in test-output/e2e, and any browser console error, uncaught error or request leaving the server
// fails the test.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/launcher.ts";
import { totpCode } from "../../src/server/auth/totp.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { cleanEnv, LauncherProcess } from "../app/launcher-process.ts";
import { launchBrowser, OUTPUT_DIR, PageWatcher, screenshot } from "./browser.ts";

/** A build of the app (or waiting for another launcher's) on a busy 2-core machine, then the start. */
const BOOT_TIMEOUT_MS = 420_000;
const STEP_TIMEOUT_MS = 180_000;

const ADMIN = { email: "owner@example.com", password: "correct horse battery staple" };
const VIEWER = { email: "viewer@example.com", password: "viewer password 123" };

let base: string;
let browser: Browser;
let handle: DbHandle;
/** undone in reverse order after the tests, whatever got as far as being made */
const cleanups: (() => Promise<unknown>)[] = [];
let adminToken: string;
let product: { id: string; code: string; name: string };
/** the super admin's TOTP secret and one of its recovery codes, once enrolled through the UI */
const twoFactor = { secret: "", recoveryCode: "" };
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

async function newPage(): Promise<{ page: Page; watcher: PageWatcher }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
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
  const allowTotpStep = watcher.allow(/status of 401.*\/api\/auth\/callback\/credentials/);
  try {
    await page.getByRole("button", { name: "Sign in" }).click();
    if (totp) {
      await page.getByLabel("Authentication code").fill(await totp());
      await page.getByRole("button", { name: "Verify" }).click();
    }
    await page.getByRole("button", { name: "Sign out" }).waitFor();
  } finally {
    allowTotpStep();
  }
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
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  adminToken = ((await login.json()) as { token: string }).token;
  product = await api("POST", "/products", { code: "acme-cad", name: "Acme CAD" });
  await api("POST", `/products/${product.id}/features`, { code: "export-pdf", name: "Export to PDF" });
  await api("POST", `/products/${product.id}/features`, {
    code: "api-calls",
    name: "API calls",
    kind: "metered",
    unit: "calls",
  });
  const groups = await api<{ items: { id: string }[] }>("GET", "/groups?q=Default");
  await api("POST", "/admins", {
    email: VIEWER.email,
    name: "Vera Viewer",
    role: "viewer",
    password: VIEWER.password,
    groupIds: groups.items.map((g) => g.id),
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
      twoFactor.recoveryCode = (await codes.first().textContent()) ?? "";
      await screenshot(page, "profile-recovery-codes");
      const admin = await handle.db.admin.findUniqueOrThrow({ where: { email: ADMIN.email } });
      expect(admin.totpEnabled).toBe(true);

      await page.getByRole("button", { name: "Sign out" }).click();
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
      const emailField = dialog.getByLabel("Email");
      await expect(emailField.getAttribute("aria-invalid")).resolves.toBe("true");
      await dialog.getByText(/invalid email/i).waitFor();
      await screenshot(page, "customer-form-error");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      expect(await dbCount("customer")).toBe(customersBefore);

      // a number out of range on the license form: marked, nothing issued
      const licensesBefore = await dbCount("license");
      await page.goto(`${base}/licenses/new`);
      await page.getByLabel("Seats", { exact: true }).fill("0");
      await page.getByRole("button", { name: "Issue license" }).click();
      await expect(page.getByLabel("Seats", { exact: true }).getAttribute("aria-invalid")).resolves.toBe(
        "true",
      );
      await expect(page.getByLabel("Customer").getAttribute("aria-invalid")).resolves.toBe("true");
      expect(await dbCount("license")).toBe(licensesBefore);

      // valid in form but refused by the server (a product code taken): its message in a toast,
      // the field it names marked
      const productsBefore = await handle.db.product.count();
      await page.goto(`${base}/products`);
      await page.getByRole("button", { name: "New product" }).click();
      const productDialog = page.getByRole("dialog");
      await productDialog.getByLabel("Name").fill("Acme CAD again");
      await productDialog.getByLabel("Code").fill("acme-cad");
      const allow409 = watcher.allow(/status of 409/);
      try {
        await productDialog.getByRole("button", { name: "Create product" }).click();
        await page
          .getByText(/already exists/)
          .first()
          .waitFor();
      } finally {
        allow409();
      }
      await productDialog.getByText("already in use").waitFor();
      await expect(productDialog.getByLabel("Code").getAttribute("aria-invalid")).resolves.toBe("true");
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
      let confirm = page.getByRole("dialog");
      await confirm.getByLabel("Reason (optional, shown on the license)").fill("invoice overdue");
      await confirm.getByRole("button", { name: "Suspend" }).click();
      await page.locator('[data-status="suspended"]').first().waitFor();
      await expect(
        handle.db.license.findUniqueOrThrow({
          where: { id: licenseId },
          select: { status: true, statusReason: true },
        }),
      ).resolves.toEqual({ status: "suspended", statusReason: "invoice overdue" });

      await page.getByRole("button", { name: "Revoke" }).click();
      confirm = page.getByRole("dialog");
      await confirm.getByRole("button", { name: "Revoke license" }).click();
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
      const client = async (operation: string, fingerprint: string, extra: object = {}) => {
        const response = await fetch(`${base}/api/v1/client/${operation}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            licenseKey: busy.key,
            client: { productCode: "acme-cad", fingerprint, clientVersion: "2.4.0", hostname: fingerprint },
            ...extra,
          }),
        });
        expect(response.status, operation).toBe(200);
      };
      for (const [index, host] of ["ws-berlin-01", "ws-berlin-02", "build-agent-7"].entries()) {
        await client("validate", host);
        await client("activate", host);
        await client("record-usage", host, {
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
      const allow401 = watcher.allow(/status of 401/);
      try {
        await page.reload();
        await page.waitForURL(/\/sign-in\?callbackUrl=/);
        await page.getByText("Your session has ended").waitFor();
        // a recovery code stands in for the authenticator, once
        await signIn(page, watcher, ADMIN, () => Promise.resolve(twoFactor.recoveryCode));
      } finally {
        allow401();
      }
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
      expect(await viewerPage.getByRole("button", { name: "Add feature" }).count()).toBe(0);

      // the server refuses anyway: a write sent with the viewer's session from the page
      const customersBefore = await dbCount("customer");
      const allow403 = viewerWatcher.allow(/status of 403/);
      const status = await viewerPage.evaluate(async () => {
        const response = await fetch("/api/trpc/customers.create", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Sneaky", groupId: "x" }),
        });
        return response.status;
      });
      allow403();
      expect(status).toBe(403);
      expect(await dbCount("customer")).toBe(customersBefore);
      await expect(
        handle.db.license.findUniqueOrThrow({ where: { id: license.id }, select: { status: true } }),
      ).resolves.toEqual({ status: "active" });
    },
    STEP_TIMEOUT_MS,
  );
});
