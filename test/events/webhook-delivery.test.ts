// The webhook worker against a real receiver on a loopback port, on both databases: signed
// deliveries that the standardwebhooks library verifies, retries with backoff while the receiver
// is down and one delivery per id once it is up, failure after the last retry, endpoints disabled
// after failing for long enough, no redirects followed, answers read up to 1 KiB, private targets
// refused without the setting, a slow endpoint not holding up the others, two signatures during a
// secret's grace window, and the metrics hooks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/server/core/context.ts";
import { mutate } from "../../src/server/core/shared/mutate.ts";
import { createWebhookEndpoint } from "../../src/server/core/webhooks/create-endpoint.ts";
import { deleteWebhookEndpoint } from "../../src/server/core/webhooks/delete-endpoint.ts";
import { listWebhookAttempts } from "../../src/server/core/webhooks/list-attempts.ts";
import { RESPONSE_EXCERPT_BYTES } from "../../src/server/core/webhooks/post-webhook.ts";
import {
  MAX_ATTEMPTS,
  RETRY_MULTIPLIERS,
  retryDelayMs,
  webhookAttemptObservers,
  type AttemptOutcome,
} from "../../src/server/core/webhooks/record-attempt.ts";
import { redeliverWebhook } from "../../src/server/core/webhooks/redeliver.ts";
import { rotateWebhookSecret } from "../../src/server/core/webhooks/rotate-secret.ts";
import { sendWebhookTestEvent } from "../../src/server/core/webhooks/send-test-event.ts";
import type { WebhookConfig } from "../../src/server/config.ts";
import { startWebhookWorker, type WebhookWorker } from "../../src/server/jobs/webhook-worker.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeWorld, unique } from "../support/fixtures.ts";
import { WebhookReceiver } from "../support/webhook-receiver.ts";

const logger = createLogger({ level: "silent" });
const config = (overrides: Partial<WebhookConfig> = {}): WebhookConfig => ({
  allowPrivateTargets: true,
  timeoutMs: 2000,
  concurrency: 8,
  retryBaseMs: 60_000,
  disableAfterMs: 72 * 3_600_000,
  ...overrides,
});

describe("retry schedule", () => {
  it("grows per docs/webhooks.md with ±20 % jitter and ends after the 10th retry", () => {
    expect(MAX_ATTEMPTS).toBe(11);
    expect(retryDelayMs(1, 5000, () => 0.5)).toBe(5000);
    expect(retryDelayMs(2, 5000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(10, 5000, () => 0.5)).toBe(5760 * 5000);
    expect(retryDelayMs(1, 5000, () => 0)).toBe(4000);
    expect(retryDelayMs(1, 5000, () => 1)).toBe(6000);
    expect(retryDelayMs(11, 5000)).toBeNull();
    expect(retryDelayMs(0, 5000)).toBeNull();
    const total = RETRY_MULTIPLIERS.reduce((sum, m) => sum + m, 0) * 5000;
    expect(total / 3_600_000).toBeCloseTo(23.7, 1);
  });
});

describeEachDb("webhook delivery worker", (getDb) => {
  let db: TestDb;
  const receiver = new WebhookReceiver();
  const workers: WebhookWorker[] = [];
  const outcomes: AttemptOutcome[] = [];
  const observe = (attempt: { outcome: AttemptOutcome }) => outcomes.push(attempt.outcome);

  beforeAll(async () => {
    db = getDb();
    await makeWorld(db);
    await receiver.start();
    webhookAttemptObservers.add(observe);
  });
  afterAll(async () => {
    webhookAttemptObservers.delete(observe);
    await receiver.stop();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    receiver.behaviour = { status: 204, delayMs: 0, body: "", headers: {} };
    receiver.pathBehaviour.clear();
    // endpoints of one test do not get the next test's events
    await db.handle.db.webhookEndpoint.updateMany({ data: { enabled: false, disabledReason: "admin" } });
  });

  const ctx = () => ({ ...db.ctx(), clock: systemClock, allowPrivateWebhookTargets: true });
  const worker = (overrides: Partial<WebhookConfig> = {}, pollIntervalMs = 0) => {
    const w = startWebhookWorker({
      database: db.handle,
      config: config(overrides),
      encryptionKey: db.ctx().encryptionKey,
      logger,
      pollIntervalMs,
    });
    workers.push(w);
    return w;
  };
  const endpoint = async (path = "/hooks", events: string[] = ["*"]) => {
    const created = await createWebhookEndpoint(ctx(), {
      url: `${receiver.url}${path}`,
      events: events as ["*"],
    });
    receiver.secrets = [created.secret];
    return created;
  };
  const delivery = (id: string) =>
    db.handle.db.webhookDelivery.findUniqueOrThrow({
      where: { id },
      select: {
        status: true,
        attempts: true,
        nextAttemptAt: true,
        lockedUntil: true,
        lastStatusCode: true,
        lastError: true,
      },
    });
  const makeDue = (id: string) =>
    db.handle.db.webhookDelivery.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });

  it("sends a test event signed as Standard Webhooks, with the documented body and headers", async () => {
    const { endpoint: ep } = await endpoint();
    const sent = await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const before = receiver.received.length;
    expect(await worker().runOnce()).toBe(1);
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    const [d] = got;
    expect(d?.verifiedWith).toEqual([0]);
    expect(d?.id).toBe(sent.eventId);
    expect(d?.headers["user-agent"]).toBe("license-server-webhooks/1");
    expect(d?.headers["content-type"]).toBe("application/json");
    expect(Math.abs(Number(d?.timestamp) - Date.now() / 1000)).toBeLessThan(10);
    expect(d?.event).toMatchObject({ id: sent.eventId, type: "webhook.test", version: 1 });
    expect(typeof d?.event?.sequence).toBe("number");
    expect(await delivery(sent.deliveryId)).toMatchObject({
      status: "succeeded",
      attempts: 1,
      lastStatusCode: 204,
      lockedUntil: null,
    });
    const attempts = await listWebhookAttempts(ctx(), { deliveryId: sent.deliveryId });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, statusCode: 204, error: null });
    expect(outcomes).toContain("succeeded");
  });

  it("a tampered body or another secret fails verification at the receiver (the check can fail)", async () => {
    const { endpoint: ep } = await endpoint();
    receiver.secrets = [`whsec_${Buffer.alloc(32, 7).toString("base64")}`];
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const before = receiver.received.length;
    await worker().runOnce();
    expect(receiver.received.slice(before).map((d) => d.verifiedWith)).toEqual([[]]);
  });

  it("retries while the receiver is down and delivers every event once per id when it is up", async () => {
    const { endpoint: ep, secret } = await endpoint("/down");
    const w = worker({ retryBaseMs: 60_000 });
    await receiver.stop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await sendWebhookTestEvent(ctx(), { endpointId: ep.id })).deliveryId);
    expect(await w.runOnce()).toBe(5);
    for (const id of ids) {
      const d = await delivery(id);
      expect(d).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null, lockedUntil: null });
      expect(d.lastError).toMatch(/ECONNREFUSED/);
      // the first retry is base × 1 ± 20 %
      const wait = d.nextAttemptAt.getTime() - Date.now();
      expect(wait).toBeGreaterThan(40_000);
      expect(wait).toBeLessThanOrEqual(72_000);
    }
    // not due yet: nothing is sent
    expect(await w.runOnce()).toBe(0);
    await receiver.start();
    receiver.secrets = [secret];
    const before = receiver.received.length;
    for (const id of ids) await makeDue(id);
    expect(await w.runOnce()).toBe(5);
    expect(await w.runOnce()).toBe(0);
    const got = receiver.received.slice(before);
    expect(new Set(got.map((d) => d.id)).size).toBe(5);
    expect(got.every((d) => d.verifiedWith.length === 1)).toBe(true);
    for (const id of ids) expect(await delivery(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(outcomes).toContain("retrying");
  });

  it("marks a delivery failed after the last retry, and a redelivery gets one more attempt", async () => {
    const { endpoint: ep } = await endpoint("/fail");
    receiver.pathBehaviour.set("/fail", { status: 500, body: "boom" });
    const { deliveryId } = await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const w = worker();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await makeDue(deliveryId);
      expect(await w.runOnce()).toBe(1);
    }
    expect(await delivery(deliveryId)).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      lastStatusCode: 500,
    });
    await makeDue(deliveryId);
    expect(await w.runOnce()).toBe(0);
    const attempts = await listWebhookAttempts(ctx(), { deliveryId });
    expect(attempts).toHaveLength(MAX_ATTEMPTS);
    expect(attempts.every((a) => a.statusCode === 500 && a.responseExcerpt === "boom")).toBe(true);
    expect(outcomes).toContain("failed");

    receiver.pathBehaviour.set("/fail", { status: 200 });
    await redeliverWebhook(ctx(), { deliveryId });
    expect(await w.runOnce()).toBe(1);
    expect(await delivery(deliveryId)).toMatchObject({ status: "succeeded", attempts: MAX_ATTEMPTS + 1 });
  });

  it("disables an endpoint that failed without a success for WEBHOOK_DISABLE_AFTER_HOURS, with an audit record", async () => {
    const { endpoint: ep } = await endpoint("/broken");
    receiver.pathBehaviour.set("/broken", { status: 503 });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const w = worker({ disableAfterMs: 60_000 });
    await w.runOnce();
    let row = await db.handle.db.webhookEndpoint.findUniqueOrThrow({
      where: { id: ep.id },
      select: { enabled: true, failingSince: true, disabledReason: true },
    });
    expect(row.enabled).toBe(true);
    expect(row.failingSince).not.toBeNull();
    // the run of failures began more than the limit ago
    await db.handle.db.webhookEndpoint.update({
      where: { id: ep.id },
      data: { failingSince: new Date(Date.now() - 61_000) },
    });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    await w.runOnce();
    row = await db.handle.db.webhookEndpoint.findUniqueOrThrow({
      where: { id: ep.id },
      select: { enabled: true, failingSince: true, disabledReason: true },
    });
    expect(row).toMatchObject({ enabled: false, disabledReason: "failing" });
    const audit = await db.handle.db.auditEvent.findMany({
      where: { action: "webhook_endpoint.disable", targetId: ep.id },
      select: { actorType: true },
    });
    expect(audit).toHaveLength(1);
  });

  it("a success ends the run of failures (failingSince cleared)", async () => {
    const { endpoint: ep } = await endpoint("/flaky");
    receiver.pathBehaviour.set("/flaky", { status: 500 });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const w = worker();
    await w.runOnce();
    receiver.pathBehaviour.set("/flaky", { status: 200 });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    await w.runOnce();
    const row = await db.handle.db.webhookEndpoint.findUniqueOrThrow({
      where: { id: ep.id },
      select: { enabled: true, failingSince: true },
    });
    expect(row).toEqual({ enabled: true, failingSince: null });
  });

  it("does not follow redirects and reads at most 1 KiB of an answer", async () => {
    const { endpoint: ep } = await endpoint("/moved");
    receiver.pathBehaviour.set("/moved", { status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const moved = await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const before = receiver.received.length;
    await worker().runOnce();
    expect(receiver.received.slice(before).map((d) => d.path)).toEqual(["/moved"]);
    const d = await delivery(moved.deliveryId);
    expect(d).toMatchObject({ status: "pending", lastStatusCode: 302 });
    expect(d.lastError).toMatch(/redirects are not followed/);

    const { endpoint: big } = await endpoint("/big");
    receiver.pathBehaviour.set("/big", { status: 200, body: "x".repeat(5 * 1024 * 1024) });
    const sent = await sendWebhookTestEvent(ctx(), { endpointId: big.id });
    await worker().runOnce();
    const attempts = await listWebhookAttempts(ctx(), { deliveryId: sent.deliveryId });
    expect(attempts[0]?.statusCode).toBe(200);
    expect(attempts[0]?.responseExcerpt).toHaveLength(RESPONSE_EXCERPT_BYTES);
  });

  it("refuses private targets at send time without WEBHOOK_ALLOW_PRIVATE_TARGETS (nothing reaches them)", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const { endpoint: ep } = await endpoint(`/private-${host}`);
      await db.handle.db.webhookEndpoint.update({
        where: { id: ep.id },
        data: { url: `${receiver.url.replace("127.0.0.1", host)}/private-${host}` },
      });
      const sent = await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
      const before = receiver.received.length;
      await worker({ allowPrivateTargets: false }).runOnce();
      expect(receiver.received.length).toBe(before);
      const d = await delivery(sent.deliveryId);
      expect(d).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
      expect(d.lastError).toMatch(/private, loopback, link-local or reserved/);
    }
  });

  it("a slow receiver (30 s, beyond the timeout) holds two slots and does not hold up other endpoints", async () => {
    const { endpoint: slow } = await endpoint("/slow");
    receiver.pathBehaviour.set("/slow", { delayMs: 30_000 });
    const { endpoint: fast } = await endpoint("/fast");
    const slowIds: string[] = [];
    for (let i = 0; i < 6; i++)
      slowIds.push((await sendWebhookTestEvent(ctx(), { endpointId: slow.id })).deliveryId);
    const fastIds: string[] = [];
    for (let i = 0; i < 4; i++)
      fastIds.push((await sendWebhookTestEvent(ctx(), { endpointId: fast.id })).deliveryId);
    const started = Date.now();
    worker({ timeoutMs: 3000, concurrency: 4 }, 50);
    const statuses = async (ids: string[]) => Promise.all(ids.map(async (id) => (await delivery(id)).status));
    // every fast delivery succeeded while the slow ones were still waiting for their answer
    await expect
      .poll(() => statuses(fastIds), { timeout: 2500, interval: 50 })
      .toEqual(fastIds.map(() => "succeeded"));
    expect(Date.now() - started).toBeLessThan(2500);
    const slowSoFar = receiver.received.filter((d) => d.path === "/slow" && d.at >= started);
    expect(slowSoFar.length).toBeGreaterThanOrEqual(1);
    expect(slowSoFar.length).toBeLessThanOrEqual(2);
    // the slow endpoint's first attempts ran out after 3 s and are retried later
    await expect
      .poll(async () => (await delivery(slowIds[0] ?? "")).attempts, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    const timedOut = await db.handle.db.webhookDelivery.findMany({
      where: { id: { in: slowIds }, attempts: { gt: 0 } },
      select: { status: true, lastError: true },
    });
    expect(timedOut.length).toBeGreaterThan(0);
    for (const d of timedOut)
      expect(d).toMatchObject({ status: "pending", lastError: "no answer within 3 s" });
  }, 30_000);

  it("an endpoint deleted while its attempt runs: the attempt is dropped quietly, the worker goes on", async () => {
    const { endpoint: ep } = await endpoint("/deleted");
    receiver.pathBehaviour.set("/deleted", { delayMs: 500 });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    const lines: string[] = [];
    const w = startWebhookWorker({
      database: db.handle,
      config: config(),
      encryptionKey: db.ctx().encryptionKey,
      logger: createLogger({ level: "warn" }, { write: (line: string) => void lines.push(line) }),
      pollIntervalMs: 0,
    });
    workers.push(w);
    const run = w.runOnce();
    await receiver.waitFor((r) => r.some((d) => d.path === "/deleted"), 5000);
    await deleteWebhookEndpoint(ctx(), { endpointId: ep.id });
    expect(await run).toBe(1);
    expect(lines).toEqual([]);
    expect(await db.handle.db.webhookDelivery.count({ where: { endpointId: ep.id } })).toBe(0);
  });

  it("signs with both secrets during a rotation's grace window, then with the new one only", async () => {
    const { endpoint: ep, secret: old } = await endpoint("/rotate");
    const { secret: fresh } = await rotateWebhookSecret(ctx(), { endpointId: ep.id, graceHours: 1 });
    receiver.secrets = [fresh, old];
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    let before = receiver.received.length;
    await worker().runOnce();
    let got = receiver.received.slice(before);
    expect(got[0]?.verifiedWith).toEqual([0, 1]);
    expect(got[0]?.signature.split(" ")).toHaveLength(2);

    await rotateWebhookSecret(ctx(), { endpointId: ep.id, graceHours: 0 }).then(({ secret }) => {
      receiver.secrets = [secret, fresh, old];
    });
    await sendWebhookTestEvent(ctx(), { endpointId: ep.id });
    before = receiver.received.length;
    await worker().runOnce();
    got = receiver.received.slice(before);
    expect(got[0]?.verifiedWith).toEqual([0]);
    expect(got[0]?.signature.split(" ")).toHaveLength(1);
  });

  it("wakes on this process's event writes: a change is delivered without waiting for the poll", async () => {
    const { endpoint: ep } = await endpoint("/wake");
    worker({}, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the first poll is done
    const before = receiver.received.length;
    const started = Date.now();
    await mutate(ctx(), ({ emit }) => {
      emit({ type: "policy.updated", data: { note: unique("wake") }, groupId: null });
      return Promise.resolve();
    });
    await receiver.waitFor((r) => r.length > before, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(receiver.received.at(-1)?.event?.type).toBe("policy.updated");
    expect(receiver.received.at(-1)?.path).toBe("/wake");
    expect(ep.events).toEqual(["*"]);
  });
});
