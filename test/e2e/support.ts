// Shared set-up of the admin UI's browser tests (test/e2e/*.test.ts): each file starts its own
// copy of the built app (`npm start`: next build + next start + the sidecar) on SQLite with a
// fresh data directory, seeds the catalog and a viewer through the REST API, and drives the UI
// with playwright-core in Debian's chromium. Any browser console error, uncaught error or request
// leaving the server fails the test it happened in; every step checks the database after what the
// UI did, and each main page is saved as a screenshot in test-output/e2e.
//
// Call startAdminUi() inside the file's describe.skipIf(browserMissing()) (see browser.ts): its
// hooks start the app before the tests and stop it after, and are skipped with the suite. What
// they make is exported as live bindings (base, handle, product …), read by the tests once the
// hooks have run; each test file runs in its own worker, so they are per file. The files run at
// the same time, each with its own app and data: a few files keep the starts few, their tests
// depend on one another only within a file.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { freePort } from "../../scripts/lib/launcher.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { cleanEnv, LauncherProcess } from "../app/launcher-process.ts";
import { launchBrowser, PageWatcher, reportCspViolations } from "./browser.ts";

/** A build of the app (or waiting for another launcher's) on a busy 2-core machine, then the start. */
export const BOOT_TIMEOUT_MS = 420_000;
export const STEP_TIMEOUT_MS = 180_000;

export const ADMIN = { email: "owner@example.com", password: "correct horse battery staple" };
export const VIEWER = { email: "viewer@example.com", password: "viewer password 123" };
/** an editor who changes their password on the profile page, then gets disabled */
export const EDITOR = {
  email: "pat@example.com",
  password: "pat's first password",
  newPassword: "pat's second password",
};

export let base: string;
export let browser: Browser;
export let handle: DbHandle;
/** undone in reverse order after the tests, whatever got as far as being made */
const cleanups: (() => Promise<unknown>)[] = [];
export let adminToken: string;
export let product: { id: string; code: string; name: string };
/** the Default group's id */
export let defaultGroupIds: string[];
const contexts: BrowserContext[] = [];
const watchers: PageWatcher[] = [];

export async function api<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
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
export async function apiLogin(who: { email: string; password: string; totp?: string }): Promise<{
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
export async function client(licenseKey: string, operation: string, fingerprint: string, extra: object = {}) {
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
export async function expectInvalid(field: Locator): Promise<void> {
  await expect.poll(() => field.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
}

/** Presses a button that asks first, then the confirmation dialog's `confirmLabel`. */
export async function confirmAction(page: Page, button: Locator, confirmLabel: string): Promise<void> {
  await button.click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: confirmLabel }).click();
  await dialog.waitFor({ state: "detached" });
}

export async function newPage(): Promise<{ page: Page; watcher: PageWatcher }> {
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
export async function signIn(
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

/** A new page signed in as the super admin (with password only: before any two-factor enrollment). */
export async function newAdminPage(): Promise<{ page: Page; watcher: PageWatcher }> {
  const opened = await newPage();
  await signIn(opened.page, opened.watcher, ADMIN);
  return opened;
}

export async function dbCount(table: "customer" | "license" | "apiKey"): Promise<number> {
  const db = handle.db as unknown as Record<string, { count: () => Promise<number> }>;
  const model = db[table];
  if (!model) throw new Error(`no table ${table}`);
  return model.count();
}

/**
 * Starts the app, seeds it and opens the browser before the file's tests, fails each test on the
 * browser problems it caused, and stops it all after. Call it inside the file's describe; `env`
 * adds settings to the app's environment (e.g. WEBHOOK_ALLOW_PRIVATE_TARGETS).
 */
export function startAdminUi(options: { env?: Record<string, string> } = {}): void {
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
      ...options.env,
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

    // the catalog and a viewer through the REST API (the tests' UI flows make everything else)
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
}

/**
 * The customer the licensing tests make in the UI (Initech, in the Default group), made through
 * the REST API for the tests that only need one to exist: its id.
 */
export async function createInitech(): Promise<string> {
  const customer = await api<{ id: string }>("POST", "/customers", {
    name: "Initech",
    email: "it@initech.example",
    company: "Initech LLC",
    groupId: defaultGroupIds[0],
  });
  return customer.id;
}
