// Finding things in a browser: with 207 customers (more than a picker lists at once), the
// "Issue license" page's customer picker finds the 207th by typing part of its name, it is
// picked with the keyboard and the license is issued to it; the command palette, opened with
// Ctrl+K and with the header's button, finds that license by a part of its key from the middle
// and goes to a page by its name. Set-up and the browser checks: support.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, screenshot } from "./browser.ts";
import {
  api,
  base,
  defaultGroupIds,
  handle,
  newAdminPage,
  product,
  startAdminUi,
  STEP_TIMEOUT_MS,
  VIEWER,
} from "./support.ts";
import { pick, picker } from "./pickers.ts";

const CUSTOMERS = 207;
const nameOf = (n: number) => `Account ${String(n).padStart(3, "0")} Holdings`;

describe.skipIf(browserMissing())("admin UI in a browser: search pickers and the command palette", () => {
  startAdminUi();
  let page: Page;
  let last: { id: string; name: string };
  let licenseId: string;
  let licenseKey: string;

  beforeAll(async () => {
    const made: { id: string; name: string }[] = [];
    for (let start = 1; start <= CUSTOMERS; start += 10) {
      const batch = [];
      for (let n = start; n < start + 10 && n <= CUSTOMERS; n++) {
        batch.push(
          api<{ id: string; name: string }>("POST", "/customers", {
            name: nameOf(n),
            email: `billing${n}@account${n}.example`,
            groupId: defaultGroupIds[0],
          }),
        );
      }
      made.push(...(await Promise.all(batch)));
    }
    last = made.find((c) => c.name === nameOf(CUSTOMERS)) ?? { id: "", name: "" };
    expect(await handle.db.customer.count()).toBe(CUSTOMERS);
    ({ page } = await newAdminPage());
  }, STEP_TIMEOUT_MS);

  it(
    "picks the 207th customer by typing part of its name, and issues the license to it",
    async () => {
      await page.goto(`${base}/licenses/new`);
      const customer = picker(page, "Customer");
      // opened empty, the picker lists the first page and says there are more
      await customer.click();
      await page.getByRole("option", { name: nameOf(1), exact: true }).waitFor();
      await expect
        .poll(() => page.getByTestId("picker-more").textContent())
        .toBe(`20 of ${CUSTOMERS} shown: type to narrow the list.`);
      expect(await page.getByRole("option", { name: last.name, exact: true }).count()).toBe(0);

      // a search that finds nothing says so
      await customer.pressSequentially("no such account");
      await expect
        .poll(() => page.getByTestId("picker-empty").textContent())
        .toBe("No matches for “no such account”");
      await customer.press("Escape");

      // part of the 207th's name, from the middle, in another case: picked with the keyboard
      await pick(page, "Customer", "unt 207", last.name);
      await pick(page, "Product", "acme", "Acme CAD (acme-cad)");
      await page.getByLabel("Seats", { exact: true }).fill("3");
      await screenshot(page, "license-issue-picked-customer");
      await page.getByRole("button", { name: "Issue license" }).click();
      await page.waitForURL(/\/licenses\/(?!new)[^/]+$/);
      licenseId = page.url().split("/").pop() ?? "";
      const license = await handle.db.license.findUniqueOrThrow({
        where: { id: licenseId },
        select: { customerId: true, productId: true, seatLimit: true, key: true },
      });
      expect(license).toMatchObject({ customerId: last.id, productId: product.id, seatLimit: 3 });
      licenseKey = license.key;

      // a link that names a customer beyond the first page shows its name
      await page.goto(`${base}/licenses/new?customerId=${last.id}`);
      await expect.poll(() => picker(page, "Customer").inputValue()).toBe(last.name);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "finds the license by a part of its key in the palette (Ctrl+K) and opens it with Enter",
    async () => {
      await page.goto(`${base}/customers`);
      await page.getByTestId("open-palette").waitFor();
      await page.keyboard.press("Control+K");
      const palette = page.getByRole("dialog", { name: "Search the console" });
      await palette.waitFor();
      const input = palette.getByRole("combobox");
      await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
      // from the middle of the key, across a dash, typed in lower case without the dash
      const fragment = licenseKey.slice(8, 19).replace(/-/g, "").toLowerCase();
      await input.pressSequentially(fragment, { delay: 20 });
      const result = palette.getByRole("option", { name: new RegExp(licenseKey) });
      await result.waitFor();
      // the license is the only result: no page, customer or product matches the fragment
      await expect.poll(() => palette.getByRole("option").count()).toBe(1);
      await expect.poll(() => result.getAttribute("aria-selected")).toBe("true");
      await screenshot(page, "command-palette-license", true);
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/licenses/${licenseId}`);
      await expect.poll(() => page.getByTestId("license-key").textContent()).toBe(licenseKey);
      expect(await palette.count()).toBe(0);

      // the same search through the REST API
      const found = await api<{ licenses: { id: string; key: string }[] }>(
        "GET",
        `/search?q=${encodeURIComponent(fragment)}`,
      );
      expect(found.licenses.map((l) => l.id)).toEqual([licenseId]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "opens from the header's button, finds customers and goes to a page by its name",
    async () => {
      await page.getByTestId("open-palette").click();
      const palette = page.getByRole("dialog", { name: "Search the console" });
      const input = palette.getByRole("combobox");
      await input.pressSequentially("billing205@");
      const customer = palette.getByRole("option", { name: new RegExp(nameOf(205)) });
      await customer.waitFor();
      await customer.click();
      await page.waitForURL(/\/customers\/[^/]+$/);
      await page.getByRole("heading", { name: nameOf(205) }).waitFor();

      await page.getByTestId("open-palette").click();
      await input.pressSequentially("audit");
      const auditPage = palette.getByRole("option", { name: /Audit log/ });
      await auditPage.waitFor();
      await expect.poll(() => auditPage.getAttribute("aria-selected")).toBe("true");
      await page.keyboard.press("Enter");
      await page.waitForURL(`${base}/audit`);
      await page.getByRole("heading", { name: "Audit log" }).waitFor();

      // Escape closes it, and Ctrl+K again opens it empty
      await page.keyboard.press("Control+K");
      await palette.waitFor();
      expect(await input.inputValue()).toBe("");
      await page.keyboard.press("Escape");
      await palette.waitFor({ state: "detached" });
    },
    STEP_TIMEOUT_MS,
  );
  it(
    "filters the licenses by a picked customer, and moves an admin to another group with the group picker",
    async () => {
      await page.goto(`${base}/licenses`);
      await pick(page, "Customer", "207", last.name);
      await page.waitForURL(new RegExp(`[?&]customer=${last.id}`));
      await expect.poll(() => page.getByRole("row").count()).toBe(2); // the header and the one license
      // the key in short, linked to the license
      const shortKey = `${licenseKey.slice(0, 9)}…${licenseKey.slice(-4)}`;
      expect(await page.getByRole("link", { name: shortKey }).getAttribute("href")).toBe(
        `/licenses/${licenseId}`,
      );

      const support = await api<{ id: string }>("POST", "/groups", { name: "Support team" });
      const viewer = await handle.db.admin.findUniqueOrThrow({ where: { email: VIEWER.email } });
      await page.goto(`${base}/admins`);
      await page
        .getByRole("row", { name: new RegExp(VIEWER.email) })
        .getByRole("button", { name: "Edit" })
        .click();
      const dialog = page.getByRole("dialog", { name: `Edit ${VIEWER.email}` });
      await dialog.getByRole("button", { name: "Remove Default" }).click();
      await pick(dialog, "Add to groups", "supp", "Support team", "keyboard", "");
      await dialog.getByRole("button", { name: "Remove Support team" }).waitFor();
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      const groups = await handle.db.adminGroup.findMany({
        where: { adminId: viewer.id },
        select: { groupId: true },
      });
      expect(groups).toEqual([{ groupId: support.id }]);
    },
    STEP_TIMEOUT_MS,
  );
});
