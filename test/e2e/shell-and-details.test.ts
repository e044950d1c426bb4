// The shell on any screen and the details of the console, in a browser: at 390×844 no main page
// is wider than the viewport, the navigation is a drawer (closed on load, opened by Menu, closed
// by Escape and after a link), at 1280 the sidebar shows; a hard load shows the frame at once
// while the session is checked; Enter on a focused row opens its record; copy buttons in rows;
// a customer's licenses in pages; the audit's changes as from → to with links; the validations
// charts' tooltips agree with the counts stored; /api/docs has its favicon and "Try it out"
// answers 200 on 127.0.0.1. Set-up and the browser checks: support.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, screenshot, settle } from "./browser.ts";
import {
  adminToken,
  api,
  base,
  client,
  createInitech,
  handle,
  newAdminPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
} from "./support.ts";

const NARROW = { width: 390, height: 844 };
const WIDE = { width: 1280, height: 800 };

interface License {
  id: string;
  key: string;
}

/** How wide the page's document is, and the widest element sticking out of it (for the message). */
async function pageWidth(page: Page): Promise<{ width: number; culprit: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    let culprit = "";
    let right = window.innerWidth;
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const box = el.getBoundingClientRect();
      if (box.right > right + 0.5 && box.width > 0) {
        right = box.right;
        culprit = `${el.tagName.toLowerCase()}.${(el.getAttribute("class") ?? "").slice(0, 80)} (${Math.round(box.right)} px)`;
      }
    }
    return { width, culprit };
  });
}

/** Waits until `check` is true (expect.poll works inside tests only, not in their set-up). */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The tooltip's numbers by series name ("Valid" → 3), once it shows. */
async function tooltipValues(page: Page): Promise<Record<string, number>> {
  const tooltip = page.locator(".recharts-tooltip-wrapper .recharts-tooltip-item");
  await tooltip.first().waitFor();
  const out: Record<string, number> = {};
  for (const text of await tooltip.allTextContents()) {
    const [name, value] = text.split(":").map((s) => s.trim());
    if (name && value !== undefined) out[name] = Number(value.replace(/,/g, ""));
  }
  return out;
}

describe.skipIf(browserMissing())("admin UI in a browser: responsive shell and details", () => {
  startAdminUi();
  let page: Page;
  let customerId: string;
  let license: License;
  const licenses: License[] = [];

  beforeAll(async () => {
    ({ page } = await newAdminPage());
    customerId = await createInitech();
    // twelve licenses: the customer's page shows them in two pages
    for (let i = 0; i < 12; i++) {
      licenses.push(
        await api<License>("POST", "/licenses", { customerId, productId: product.id, seatLimit: 3 }),
      );
    }
    license = licenses[0] as License;
    // an audit trail with changes: the seats 3 → 7, then a suspension
    await api("PATCH", `/licenses/${license.id}`, { seatLimit: 7 });
    // validations: three valid, then two refused once suspended
    for (let i = 0; i < 3; i++) await client(license.key, "validate", `fp-valid-${i}`);
    await api("POST", `/licenses/${license.id}/suspend`, { reason: "unpaid invoice" });
    for (let i = 0; i < 2; i++) await client(license.key, "validate", `fp-refused-${i}`);
    // the licensing API adds its counts to the database every 10 s
    await waitUntil("the five validations are stored", async () => {
      const buckets = await handle.db.licenseActivityBucket.findMany({ where: { licenseId: license.id } });
      return buckets.reduce((sum, b) => sum + b.validations, 0) === 5;
    });
  }, STEP_TIMEOUT_MS);

  it(
    "at 390×844 no main page is wider than the viewport, and the header does not wrap",
    async () => {
      await page.setViewportSize(NARROW);
      const productPage = `/products/${product.id}`;
      const policy = await api<{ id: string }>("POST", "/policies", {
        productId: product.id,
        name: "Standard",
        seatLimit: 5,
      });
      const webhook = await api<{ endpoint: { id: string } }>("POST", "/webhook-endpoints", {
        url: "https://hooks.example.com/licenses",
        events: ["license.created"],
      });
      const paths: [string, string][] = [
        ["dashboard", "/"],
        ["customers", "/customers"],
        ["customer", `/customers/${customerId}`],
        ["licenses", "/licenses"],
        ["license", `/licenses/${license.id}`],
        ["license-new", "/licenses/new"],
        ["products", "/products"],
        ["product", productPage],
        ["policies", "/policies"],
        ["policy", `/policies/${policy.id}`],
        ["trials", "/trials"],
        ["groups", "/groups"],
        ["admins", "/admins"],
        ["api-keys", "/api-keys"],
        ["webhooks", "/webhooks"],
        ["webhook", `/webhooks/${webhook.endpoint.id}`],
        ["audit", "/audit"],
        ["signing-keys", "/signing-keys"],
        ["settings", "/settings"],
        ["profile", "/profile"],
      ];
      const tooWide: string[] = [];
      for (const [name, path] of paths) {
        await page.goto(`${base}${path}`);
        await page.locator("main h1").first().waitFor();
        await settle(page);
        const { width, culprit } = await pageWidth(page);
        if (width > NARROW.width) tooWide.push(`${path}: ${width} px wide, ${culprit}`);
        const header = await page
          .locator("header")
          .first()
          .evaluate((h) => ({ scroll: h.scrollWidth, client: h.clientWidth, height: h.clientHeight }));
        if (header.scroll > header.client || header.height > 64)
          tooWide.push(
            `${path}: the header overflows (${header.scroll} > ${header.client} px, ${header.height} px high)`,
          );
        await screenshot(page, `narrow-${name}`);
      }
      expect(tooWide, "pages wider than 390 px").toEqual([]);
    },
    STEP_TIMEOUT_MS * 2,
  );

  it(
    "at 390×844 the drawer is closed on load, opens with Menu, closes with Escape and after a link",
    async () => {
      await page.setViewportSize(NARROW);
      await page.goto(`${base}/licenses`);
      await page.getByRole("heading", { name: "Licenses" }).waitFor();
      const drawer = page.getByTestId("nav-drawer");
      expect(await drawer.count(), "the drawer is closed on load").toBe(0);
      expect(await page.getByTestId("sidebar").isVisible(), "no sidebar at 390 px").toBe(false);

      const menu = page.getByRole("button", { name: "Menu", exact: true });
      await menu.click();
      await drawer.waitFor();
      await screenshot(page, "narrow-drawer-open", true);
      // Escape closes it and gives the focus back to the Menu button
      await page.keyboard.press("Escape");
      await drawer.waitFor({ state: "detached" });
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Menu");

      await menu.click();
      await drawer.getByRole("link", { name: "Customers" }).click();
      await page.waitForURL(`${base}/customers`);
      await page.getByRole("heading", { name: "Customers" }).waitFor();
      await drawer.waitFor({ state: "detached" });
      expect(await drawer.count(), "the drawer is closed after navigation").toBe(0);
      // and it stays closed on the next load
      await page.reload();
      await page.getByRole("heading", { name: "Customers" }).waitFor();
      expect(await drawer.count()).toBe(0);

      // wide: the sidebar, no Menu button; the API docs are linked from the header
      await page.setViewportSize(WIDE);
      await page.getByTestId("sidebar").waitFor({ state: "visible" });
      expect(await menu.isVisible()).toBe(false);
      expect(await page.getByTestId("sidebar").getByRole("link", { name: "Licenses" }).isVisible()).toBe(
        true,
      );
      expect(await page.locator("header").getByRole("link", { name: "API docs" }).getAttribute("href")).toBe(
        "/api/docs",
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a hard load shows the shell at once while the session is checked, not a full-screen block",
    async () => {
      await page.setViewportSize(WIDE);
      // the session check (profile.get) answers late
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route(/\/api\/trpc\/[^?]*profile\.get/, async (route) => {
        await held;
        await route.continue();
      });
      try {
        await page.goto(`${base}/licenses`, { waitUntil: "domcontentloaded" });
        // the page waits inside the frame: navigation and header are there already
        await page.locator("main").getByTestId("page-skeleton").waitFor();
        expect(await page.getByTestId("sidebar").getByRole("link", { name: "Customers" }).isVisible()).toBe(
          true,
        );
        expect(await page.getByRole("button", { name: "Sign out", exact: true }).isVisible()).toBe(true);
        // nothing covers the viewport
        const skeleton = await page.locator("main").getByTestId("page-skeleton").boundingBox();
        expect(skeleton && skeleton.x >= 200 && skeleton.y >= 50, "the skeleton sits in the main area").toBe(
          true,
        );
      } finally {
        release();
      }
      await page.getByRole("heading", { name: "Licenses" }).waitFor();
      await page.unroute(/\/api\/trpc\/[^?]*profile\.get/);
      expect(await page.getByTestId("page-skeleton").count()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "Enter on a focused row opens its record; a row's copy button copies its key",
    async () => {
      await page.setViewportSize(WIDE);
      await page.goto(`${base}/licenses`);
      const table = page.getByRole("grid", { name: "Licenses" });
      const row = table
        .getByRole("row")
        .filter({ has: page.getByRole("button", { name: `Copy ${license.key}` }) });
      await row.waitFor();
      await row.getByRole("button", { name: `Copy ${license.key}` }).click();
      await page.getByText("License key copied to the clipboard").first().waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(license.key);

      await row.focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/licenses/${license.id}`);
      await page.getByTestId("license-key").waitFor();
      expect(await page.getByTestId("license-key").textContent()).toBe(license.key);

      // keyboard only, on the customers list: Tab into the table, arrows to a row, Enter
      await page.goto(`${base}/customers`);
      const customers = page.getByRole("grid", { name: "Customers" });
      await customers.getByRole("row", { name: /Initech/ }).waitFor();
      await customers.getByRole("row", { name: /Initech/ }).focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/customers/${customerId}`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a customer's licenses come in pages from the server",
    async () => {
      await page.setViewportSize(WIDE);
      await page.goto(`${base}/customers/${customerId}`);
      await page.getByRole("heading", { name: "Initech" }).waitFor();
      const pager = page.getByRole("navigation", { name: "Pages" });
      await pager.getByText("1–10 of 12").waitFor();
      const grid = page.getByRole("grid", { name: "Licenses" });
      // a header row and ten licenses
      expect(await grid.getByRole("row").count()).toBe(11);
      await pager.getByRole("button", { name: "Next" }).click();
      await pager.getByText("11–12 of 12").waitFor();
      await expect.poll(() => grid.getByRole("row").count()).toBe(3);
      expect(await handle.db.license.count({ where: { customerId } })).toBe(12);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "the audit shows what changed as from → to, with links to the records",
    async () => {
      await page.setViewportSize(WIDE);
      await page.goto(`${base}/licenses/${license.id}`);
      const trail = page.getByRole("grid", { name: "Audit events" });
      const changes = trail.locator("[data-change]");
      await changes.first().waitFor();
      const texts = (await trail.getByTestId("audit-details").allTextContents()).join("\n");
      expect(texts).toMatch(/seat limit: 3 → 7/);
      expect(texts).toMatch(/status: active → suspended/);
      expect(texts).toMatch(/reason: unpaid invoice/);
      // no raw JSON of ids in sight: the JSON is behind the "raw" toggle
      expect(await trail.locator("pre").first().isVisible()).toBe(false);
      const stored = await handle.db.auditEvent.findFirstOrThrow({
        where: { targetId: license.id, action: "license.suspend" },
      });
      expect(JSON.parse(stored.summary)).toMatchObject({ from: "active", to: "suspended" });
      // the license page has no stray Refresh button any more
      expect(await page.getByRole("button", { name: "Refresh" }).count()).toBe(0);

      // the issue event names its customer and product by id: links to their pages
      await page.goto(`${base}/audit?targetType=license&targetId=${license.id}`);
      const log = page.getByRole("grid", { name: "Audit events" });
      const created = log.getByRole("row").filter({ hasText: "license.create" });
      await created.waitFor();
      await created.locator(`a[href="/customers/${customerId}"]`).waitFor();
      await created.locator(`a[href="/products/${product.id}"]`).waitFor();
      await screenshot(page, "audit-details");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "the validations charts are stacked, and their tooltips show the stored counts",
    async () => {
      await page.setViewportSize(WIDE);
      const dayStart = new Date();
      dayStart.setUTCHours(0, 0, 0, 0);
      const today = await handle.db.activityBucket.findMany({ where: { at: { gte: dayStart } } });
      const stored = {
        Valid: today.reduce((s, b) => s + b.validations - b.refused, 0),
        Refused: today.reduce((s, b) => s + b.refused, 0),
      };
      expect(stored).toEqual({ Valid: 3, Refused: 2 });

      await page.goto(`${base}/`);
      const chart = page.getByRole("figure", { name: "Validations over time" });
      await chart.locator(".recharts-bar-rectangle").first().waitFor();
      expect(await chart.locator(".recharts-legend-item-text").allTextContents()).toEqual([
        "Valid",
        "Refused",
      ]);
      // today's bar is the last one: its refused part sits on its valid part
      const bars = chart.locator(".recharts-bar-rectangle path");
      await bars.last().hover();
      expect(await tooltipValues(page)).toEqual(stored);
      const [validBox, refusedBox] = await Promise.all([
        chart.locator(".recharts-bar").nth(0).locator("path").last().boundingBox(),
        chart.locator(".recharts-bar").nth(1).locator("path").last().boundingBox(),
      ]);
      expect(validBox && refusedBox, "both parts of today's bar are drawn").toBeTruthy();
      if (validBox && refusedBox) {
        // stacked: the refused part ends where the valid part begins, heights in proportion
        expect(Math.abs(refusedBox.y + refusedBox.height - validBox.y)).toBeLessThan(1.5);
        expect(refusedBox.height / validBox.height).toBeCloseTo(2 / 3, 1);
      }
      await screenshot(page, "dashboard-validations");

      // the license's own chart
      await page.goto(`${base}/licenses/${license.id}`);
      const own = page.getByRole("figure", { name: "This license's validations per day" });
      await own.locator(".recharts-bar-rectangle path").last().hover();
      expect(await tooltipValues(page)).toEqual({ Valid: 3, Refused: 2 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "/api/docs has a favicon and its Try it out answers 200 on 127.0.0.1",
    async () => {
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:/);
      await page.setViewportSize(WIDE);
      await page.goto(`${base}/api/docs`);
      await page.locator(".swagger-ui .opblock").first().waitFor();
      const icon = await page.locator('link[rel="icon"]').getAttribute("href");
      expect(icon).toBeTruthy();
      const favicon = await page.request.get(new URL(icon ?? "", base).toString());
      expect(favicon.status()).toBe(200);
      expect(favicon.headers()["content-type"]).toMatch(/^image\//);
      // the document's server is relative: it follows the host the page was opened on
      const doc = (await (await page.request.get(`${base}/api/v1/openapi.json`)).json()) as {
        servers: { url: string }[];
      };
      expect(doc.servers.map((s) => s.url)).toEqual(["/api/v1"]);

      await page.locator("button.authorize").first().click();
      const modal = page.locator(".modal-ux");
      await modal.locator("input").first().fill(adminToken);
      await modal.locator("button.authorize").first().click();
      await modal.locator("button.btn-done").first().click();

      const operation = page
        .locator(".opblock.opblock-get")
        .filter({ has: page.locator('.opblock-summary-path[data-path="/products"]') })
        .first();
      await operation.locator(".opblock-summary").first().click();
      const tryOut = operation.locator("button.try-out__btn");
      if ((await tryOut.count()) > 0 && /try it out/i.test((await tryOut.textContent()) ?? ""))
        await tryOut.click();
      await operation.locator("button.execute").click();
      const status = operation.locator(".live-responses-table tbody .response-col_status").first();
      await status.waitFor();
      expect((await status.textContent())?.trim()).toBe("200");
      expect(await operation.locator(".request-url pre").first().textContent()).toContain(
        `${base}/api/v1/products`,
      );
      await screenshot(page, "api-docs-try-it-out");
    },
    STEP_TIMEOUT_MS,
  );
});
