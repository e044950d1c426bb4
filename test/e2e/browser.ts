// A real browser for the admin UI tests: Debian's chromium driven by playwright-core (no browser
// download), found by global setup (test/support/system-tools.ts: on PATH, or CHROMIUM_PATH).
// Without it the browser suites skip themselves: describe.skipIf(browserMissing()) around every
// test and set-up hook of the file, so that the set-up (which builds and starts the app) is
// skipped too. Every page records console errors, uncaught errors and requests that leave the
// server's origin, so a test can fail on any of them.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import { appRoot } from "../../scripts/lib/launcher.ts";
import { missingTools, toolPath } from "../support/system-tools.ts";

/** Screenshots and downloads of the browser tests (not committed). */
export const OUTPUT_DIR = join(appRoot, "test-output", "e2e");

/** Why no browser can be launched here (chromium is not installed), or null: for describe.skipIf. */
export function browserMissing(): string | null {
  return missingTools("chromium");
}

export function launchBrowser(): Promise<Browser> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: toolPath("chromium"),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Problem {
  kind: "console" | "pageerror" | "external-request";
  text: string;
  url: string;
}

/**
 * Watches a context's pages. `expect(pattern)` allows console errors matching it (the browser
 * logs every 4xx answer, and some steps provoke one on purpose: a sign-in that needs the TOTP
 * code, a session that has expired) until the returned function is called.
 */
/**
 * Makes every Content-Security-Policy violation in the context's pages a console error (which a
 * PageWatcher counts as a problem), whatever the browser itself logs for it.
 */
export async function reportCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
}

export class PageWatcher {
  readonly problems: Problem[] = [];
  private readonly allowed = new Set<RegExp>();

  constructor(
    readonly context: BrowserContext,
    private readonly origin: string,
  ) {
    context.on("page", (page) => {
      this.watch(page);
    });
    for (const page of context.pages()) this.watch(page);
  }

  private watch(page: Page): void {
    page.on("console", (message: ConsoleMessage) => {
      if (message.type() !== "error") return;
      const text = message.text();
      const url = message.location().url;
      if ([...this.allowed].some((pattern) => pattern.test(`${text} ${url}`))) return;
      this.problems.push({ kind: "console", text, url });
    });
    page.on("pageerror", (error) => {
      this.problems.push({ kind: "pageerror", text: error.message, url: page.url() });
    });
    page.on("request", (request) => {
      const url = request.url();
      if (url.startsWith(this.origin) || url.startsWith("data:") || url.startsWith("blob:")) return;
      this.problems.push({ kind: "external-request", text: request.method(), url });
    });
  }

  allow(pattern: RegExp): () => void {
    this.allowed.add(pattern);
    return () => {
      this.allowed.delete(pattern);
    };
  }

  /** Runs `action` while console errors matching `pattern` are allowed. */
  async allowDuring<T>(pattern: RegExp, action: () => Promise<T>): Promise<T> {
    const stop = this.allow(pattern);
    try {
      return await action();
    } finally {
      stop();
    }
  }

  /** The problems so far, emptied. */
  take(): Problem[] {
    return this.problems.splice(0);
  }
}

/** Waits until the network is quiet and no loading indicator is left on the page. */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => document.querySelectorAll("[data-loading]").length === 0);
}

/** A screenshot into the output folder, of the whole page unless `viewportOnly`. */
export async function screenshot(page: Page, name: string, viewportOnly = false): Promise<string> {
  const path = join(OUTPUT_DIR, `${name}.png`);
  await settle(page);
  await page.screenshot({ path, fullPage: !viewportOnly });
  return path;
}
