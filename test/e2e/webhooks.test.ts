// Webhooks in a browser (issue 16): an endpoint created in its dialog pointing at a real receiver
// on a loopback port, its signing secret shown once and read from the dialog; a test event sent
// from the endpoint's page, delivered by the delivery worker, verified by the receiver with the
// `standardwebhooks` library and shown as succeeded (with its 2xx attempt) in the delivery log;
// then the receiver answering 500 (the delivery shown retrying), answering 204 again, and the
// delivery sent again with "Redeliver" (shown succeeded, both attempts in its log).
// Set-up and the browser checks: support.ts.
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../support/webhook-receiver.ts";
import { browserMissing, screenshot } from "./browser.ts";
import { base, handle, newAdminPage, startAdminUi, STEP_TIMEOUT_MS } from "./support.ts";

/** a failure is not retried by itself while the test runs: "Redeliver" sends it again */
const RETRY_BASE_MS = 60_000;
const HOOK_PATH = "/hooks/license-server";

describe.skipIf(browserMissing())("admin UI in a browser: webhooks", () => {
  // the app's own delivery worker (in its sidecar, polling every second) sends the deliveries
  startAdminUi({
    env: {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      WEBHOOK_TIMEOUT_SECONDS: "5",
      WEBHOOK_RETRY_BASE_MS: String(RETRY_BASE_MS),
    },
  });
  const receiver = new WebhookReceiver();
  let page: Page;
  let endpointId: string;

  beforeAll(async () => {
    await receiver.start();
    ({ page } = await newAdminPage());
  });

  afterAll(async () => {
    await receiver.stop();
  });

  /** The delivery log's row of a delivery of event `eventId`. */
  const deliveryRow = (eventId: string): Locator =>
    page.getByRole("grid", { name: "Deliveries" }).getByRole("row").filter({ hasText: eventId });

  /** The newest delivery to the endpoint (the test event just sent). */
  const newestDelivery = () =>
    handle.db.webhookDelivery.findFirstOrThrow({
      where: { endpointId },
      orderBy: { createdAt: "desc" },
      include: { log: { orderBy: { attempt: "asc" } } },
    });

  /** Presses "Send test event" and waits for the server's answer: the delivery it queued. */
  async function sendTestEvent() {
    const before = await handle.db.webhookDelivery.count({ where: { endpointId } });
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.getByText("Test event queued").first().waitFor();
    await expect.poll(() => handle.db.webhookDelivery.count({ where: { endpointId } })).toBe(before + 1);
    return newestDelivery();
  }

  it(
    "creates an endpoint in its dialog and shows its signing secret once",
    async () => {
      await page.goto(`${base}/webhooks`);
      await page.getByRole("link", { name: "Webhooks" }).waitFor();
      await page.getByText("No webhook endpoints").waitFor();
      await page.getByRole("button", { name: "New endpoint" }).click();
      const dialog = page.getByRole("dialog", { name: "New webhook endpoint" });
      await dialog.getByLabel("URL").fill(`${receiver.url}${HOOK_PATH}`);
      await dialog.getByLabel("Description").fill("ERP sync");
      await dialog.getByLabel("Events").selectOption("chosen");
      // nothing chosen: the shared schema refuses before anything is sent
      await dialog.getByRole("button", { name: "Create endpoint" }).click();
      await dialog.getByText("choose at least one event type").waitFor();
      await dialog.getByLabel("license.created").check();
      await dialog.getByLabel("license.revoked").check();
      await screenshot(page, "webhook-create-dialog");
      await dialog.getByRole("button", { name: "Create endpoint" }).click();

      const shown = page.getByRole("dialog", { name: "Your endpoint's signing secret" });
      await shown.getByText("Store it now: it will not be shown again").waitFor();
      const secret = await shown.getByLabel("Signing secret").inputValue();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{20,}$/);
      receiver.secrets = [secret];
      await screenshot(page, "webhook-secret-shown-once");
      await shown.getByRole("button", { name: "Done" }).click();
      await page.waitForURL(/\/webhooks\/[^/?]+$/);
      endpointId = page.url().split("/").pop() ?? "";

      const stored = await handle.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
      expect(stored).toMatchObject({
        url: `${receiver.url}${HOOK_PATH}`,
        description: "ERP sync",
        events: JSON.stringify(["license.created", "license.revoked"]),
        enabled: true,
        disabledReason: null,
        groupIds: null,
      });
      // stored sealed, and gone from the page once the dialog closed
      expect(stored.secretEnc).not.toContain(secret.slice("whsec_".length));
      await page.getByTestId("webhook-events").getByText("license.created, license.revoked").waitFor();
      expect(await page.content()).not.toContain(secret);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "sends a test event that the receiver verifies, shown succeeded with its 2xx attempt",
    async () => {
      await page.getByText("No deliveries yet").waitFor();
      const queued = await sendTestEvent();
      const row = deliveryRow(queued.eventId);
      await row.locator('[data-status="succeeded"]').waitFor();
      await expect.poll(() => row.getByRole("gridcell").nth(3).textContent()).toContain("1"); // attempts
      await screenshot(page, "webhook-delivery-succeeded");

      expect(receiver.received).toHaveLength(1);
      const [first] = receiver.received;
      expect(first?.verifiedWith).toEqual([0]);
      expect(first?.event).toMatchObject({ id: queued.eventId, type: "webhook.test" });
      expect(first?.headers["webhook-id"]).toBe(queued.eventId);
      expect(first?.path).toBe(HOOK_PATH);
      const delivered = await newestDelivery();
      expect(delivered).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 204 });
      expect(delivered.log.map((a) => a.statusCode)).toEqual([204]);

      await row.getByRole("button", { name: "Attempts" }).click();
      const attempts = page.getByRole("dialog", { name: "Attempts of webhook.test" });
      const attempt = attempts.getByRole("grid", { name: "Attempts" }).getByRole("row").nth(1);
      await attempt.getByText("204", { exact: true }).waitFor();
      await screenshot(page, "webhook-attempts");
      await attempts.getByRole("button", { name: "Close" }).click();
      await attempts.waitFor({ state: "detached" });
      await page
        .getByTestId("webhook-delivery-counts")
        .first()
        .locator('[data-count="succeeded"]')
        .getByText("1", { exact: true })
        .waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows a delivery the receiver refused as retrying, and succeeded after Redeliver",
    async () => {
      receiver.behaviour = { status: 500, delayMs: 0, body: "answered 500", headers: {} };
      const queued = await sendTestEvent();
      const row = deliveryRow(queued.eventId);
      await row.locator('[data-status="retrying"]').waitFor();
      await row.getByText("500", { exact: true }).waitFor();
      const refused = await newestDelivery();
      expect(refused).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
      // the retry waits the backoff's first step (±20 %), not the test
      expect(refused.nextAttemptAt.getTime() - (refused.lastAttemptAt?.getTime() ?? 0)).toBeGreaterThan(
        RETRY_BASE_MS * 0.8 - 1000,
      );
      expect(receiver.received.at(-1)).toMatchObject({ id: queued.eventId, verifiedWith: [0] });
      await screenshot(page, "webhook-delivery-retrying");

      receiver.behaviour = { status: 204, delayMs: 0, body: "", headers: {} };
      await row.getByRole("button", { name: "Redeliver" }).click();
      await page.getByText("webhook.test queued to be sent again").first().waitFor();
      await row.locator('[data-status="succeeded"]').waitFor();

      // the same event again (a receiver drops duplicates by webhook-id), verified
      expect(receiver.received).toHaveLength(3);
      const again = receiver.received[2];
      expect(again?.headers["webhook-id"]).toBe(queued.eventId);
      expect(again?.verifiedWith).toEqual([0]);
      expect(again?.event).toMatchObject({ id: queued.eventId, type: "webhook.test" });
      const delivered = await newestDelivery();
      expect(delivered).toMatchObject({ status: "succeeded", attempts: 2, lastStatusCode: 204 });
      expect(delivered.log.map((a) => a.statusCode)).toEqual([500, 204]);

      await row.getByRole("button", { name: "Attempts" }).click();
      const attempts = page.getByRole("dialog", { name: "Attempts of webhook.test" });
      const rows = attempts.getByRole("grid", { name: "Attempts" }).getByRole("row");
      await rows.nth(1).getByText("500", { exact: true }).waitFor();
      await rows.nth(2).getByText("204", { exact: true }).waitFor();
      await attempts.getByText("answered 500").first().waitFor();
      await screenshot(page, "webhook-redelivered-attempts");
      await attempts.getByRole("button", { name: "Close" }).click();
      await attempts.waitFor({ state: "detached" });

      // the list shows the endpoint with its deliveries by status
      await page.getByRole("link", { name: "Webhooks" }).click();
      const listed = page.getByRole("row").filter({ hasText: `${receiver.url}${HOOK_PATH}` });
      await listed.locator('[data-count="succeeded"]').getByText("2", { exact: true }).waitFor();
      await listed.locator('[data-state="enabled"]').waitFor();
      await screenshot(page, "webhooks-list");
    },
    STEP_TIMEOUT_MS,
  );
});
