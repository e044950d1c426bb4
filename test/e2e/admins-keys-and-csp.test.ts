// Who may do what, in a browser: an API key shown once that then works, a viewer's read-only UI
// (and the server refusing the viewer's writes anyway), an editor changing their password on the
// profile page, a super admin disabling that editor; and what the pages may run: the
// Content-Security-Policy (no violation on a tour of the main pages, an injected inline handler
// blocked, the API reference rendered under its own policy, no framing by another origin).
// Set-up and the browser checks: support.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserMissing, screenshot } from "./browser.ts";
import {
  ADMIN,
  api,
  apiLogin,
  base,
  createInitech,
  dbCount,
  defaultGroupIds,
  EDITOR,
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

// without chromium the whole suite skips, its set-up (the build and start) too
describe.skipIf(browserMissing())("admin UI in a browser: admins, API keys and the CSP", () => {
  startAdminUi();
  let page: Page;
  let customerId: string;

  beforeAll(async () => {
    // the customer the viewer looks at (the licensing tests make theirs in the UI)
    customerId = await createInitech();
    ({ page } = await newAdminPage());
  });

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
        await editorPage.getByLabel(/^Current password/).fill(current);
        await editorPage.getByLabel(/^New password/).fill(EDITOR.newPassword);
        await editorPage.getByLabel("Repeat the new password").fill(EDITOR.newPassword);
        await editorPage.getByRole("button", { name: "Change password" }).click();
      };
      await editorWatcher.allowDuring(/status of 400/, async () => {
        await fill("not my password at all");
        await expectInvalid(editorPage.getByLabel(/^Current password/));
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
