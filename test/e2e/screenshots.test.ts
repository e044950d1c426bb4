// The README's screenshots: the main pages, light and dark, wide (1280×800) and narrow (390×844),
// saved as test-output/e2e/readme-<page>-<theme>-<size>.png over a small, realistic catalog
// (customers, licenses in each status, validations, live sessions). `npm run screenshots`
// (scripts/readme-screenshots.ts) runs this file and copies a chosen set into docs/screenshots/.
// It checks what it shows as it goes (every page renders its heading, nothing is wider than the
// viewport, the console stays clean), so a broken page fails here rather than in the README.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, OUTPUT_DIR, screenshot } from "./browser.ts";
import {
  api,
  base,
  client,
  defaultGroupIds,
  handle,
  newAdminPage,
  product,
  startAdminUi,
} from "./support.ts";

/** The sizes and themes of the README's screenshots. */
export const SIZES = { wide: { width: 1280, height: 800 }, narrow: { width: 390, height: 844 } } as const;
export const THEMES = ["light", "dark"] as const;

interface License {
  id: string;
  key: string;
}

/** Waits until `check` is true (expect.poll works inside tests only, not in their set-up). */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe.skipIf(browserMissing())("README screenshots", () => {
  startAdminUi();
  let page: Page;
  let license: License;
  let customerId = "";

  beforeAll(async () => {
    ({ page } = await newAdminPage());
    const customers = [
      { name: "Initech", email: "it@initech.example", company: "Initech LLC" },
      { name: "Globex", email: "ops@globex.example", company: "Globex Corporation" },
      { name: "Umbrella", email: "licensing@umbrella.example", company: "Umbrella Ltd" },
      { name: "Hooli", email: "admin@hooli.example", company: "Hooli Inc" },
    ];
    const licenses: License[] = [];
    for (const [i, c] of customers.entries()) {
      const customer = await api<{ id: string }>("POST", "/customers", { ...c, groupId: defaultGroupIds[0] });
      if (i === 0) customerId = customer.id;
      for (let j = 0; j < 3 - Math.min(i, 2); j++) {
        licenses.push(
          await api<License>("POST", "/licenses", {
            customerId: customer.id,
            productId: product.id,
            seatLimit: 5 + j * 5,
            type: j === 1 ? "node_locked" : "floating",
            expiresAt: new Date(Date.now() + (20 + 150 * j) * 86_400_000).toISOString(),
          }),
        );
      }
    }
    license = licenses[0] as License;
    // some use: activations (live sessions) and validations, a few refused
    for (let i = 0; i < 3; i++) await client(license.key, "activate", `workstation-${i}`);
    for (let i = 0; i < 8; i++) await client(license.key, "validate", `workstation-${i % 3}`);
    const other = licenses[3] as License;
    for (let i = 0; i < 4; i++) await client(other.key, "validate", `laptop-${i}`);
    await api("PATCH", `/licenses/${license.id}`, { seatLimit: 8 });
    const suspended = licenses[4] as License;
    await api("POST", `/licenses/${suspended.id}/suspend`, { reason: "invoice overdue" });
    for (let i = 0; i < 3; i++) await client(suspended.key, "validate", `build-agent-${i}`);
    await api("POST", `/licenses/${(licenses[5] as License).id}/revoke`, { reason: "refunded" });
    // the counts reach the database within 10 s
    await waitUntil(
      "the validations are stored",
      async () => (await handle.db.licenseActivityBucket.count()) >= 3,
    );
  }, 240_000);

  it("saves the main pages, light and dark, wide and narrow", async () => {
    const pages: [string, string, string][] = [
      ["dashboard", "/", "Dashboard"],
      ["licenses", "/licenses", "Licenses"],
      ["license", `/licenses/${license.id}`, license.key],
      ["customers", "/customers", "Customers"],
      ["customer", `/customers/${customerId}`, "Initech"],
      ["products", "/products", "Products"],
      ["audit", "/audit", "Audit log"],
    ];
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const [size, viewport] of Object.entries(SIZES)) {
        await page.setViewportSize(viewport);
        for (const [name, path, heading] of pages) {
          await page.goto(`${base}${path}`);
          await page.getByRole("heading", { name: heading }).first().waitFor();
          // charts draw once their data is in
          if (name === "dashboard") await page.locator(".recharts-bar-rectangle").first().waitFor();
          expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
            theme === "dark",
          );
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth),
            `${path} at ${size}`,
          ).toBeLessThanOrEqual(viewport.width);
          const file = await screenshot(page, `readme-${name}-${theme}-${size}`, size === "narrow");
          expect(existsSync(file)).toBe(true);
        }
      }
    }
    expect(existsSync(join(OUTPUT_DIR, "readme-license-dark-narrow.png"))).toBe(true);
  }, 600_000);
});
