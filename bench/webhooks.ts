// Webhook delivery throughput and latency (issue 16): the real worker (src/server/jobs/webhook-worker.ts)
// claiming, signing, POSTing to a node:http receiver on 127.0.0.1 that answers 204 at once, and
// recording each attempt, on a fresh database per run. Runs on its own:
//   npx tsx bench/webhooks.ts [--db sqlite|postgresql|both] [--events 2000] [--endpoints 1]
//     [--concurrency 16] [--batch 100] [--rate 100] [--seconds 10] [--verify-every 10]
// 1. Backlog: `--events` policy.updated events (catalogue-wide, every endpoint wants them) are queued
//    in transactions of `--batch` events with the worker stopped; the worker then starts and the
//    clock runs until every delivery is `succeeded` in the database (polled).
// 2. Steady state: with the worker running, one event per change at `--rate` per second for
//    `--seconds` (open loop), then until every delivery succeeded: enqueue→receipt latency.
// Enqueue is the event's `at` (the change's clock, the body's `timestamp`); receipt is when the
// receiver has read the whole request. The receiver verifies every `--verify-every`-th delivery
// (and the first) with the standardwebhooks library; one that does not verify fails the run.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { systemActor, systemClock, type DomainContext } from "../src/server/core/context.ts";
import { policyEventData } from "../src/server/core/events/payloads.ts";
import { createPolicy } from "../src/server/core/policies/create-policy.ts";
import { createProduct } from "../src/server/core/products/create-product.ts";
import { mutate } from "../src/server/core/shared/mutate.ts";
import { createWebhookEndpoint } from "../src/server/core/webhooks/create-endpoint.ts";
import { PER_ENDPOINT_IN_FLIGHT, startWebhookWorker } from "../src/server/jobs/webhook-worker.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { applyMigrations } from "../src/server/db/migrate.ts";
import type { DbProvider } from "../src/server/db/provider.ts";
import { createLogger } from "../src/server/logger.ts";
import { makeTarget } from "./lib/seed.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const eventCount = Number(arg("events", "2000"));
const endpointCount = Number(arg("endpoints", "1"));
const concurrency = Number(arg("concurrency", "16"));
const batch = Number(arg("batch", "100"));
const rate = Number(arg("rate", "100"));
const steadySeconds = Number(arg("seconds", "10"));
const verifyEvery = Number(arg("verify-every", "10"));
const which = arg("db", "both");
const providers: DbProvider[] = which === "both" ? ["sqlite", "postgresql"] : [which as DbProvider];
/** deliveries per second the backlog should drain at on this 2-core machine, every slot busy
 * (at least WEBHOOK_CONCURRENCY / PER_ENDPOINT_IN_FLIGHT endpoints: `--endpoints 8`) */
const TARGET_DELIVERIES_PER_S = 200;
const DRAIN_TIMEOUT_MS = 300_000;

const fmt = (n: number, digits = 0) => n.toFixed(digits);
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records each delivery's receipt; verifies a sample of them with the endpoint's secret. */
class Receiver {
  /** by request path (one per endpoint) */
  readonly secrets = new Map<string, string>();
  /** enqueue→receipt, ms, per delivery received */
  latencies: number[] = [];
  received = 0;
  verified = 0;
  failures: string[] = [];
  private readonly seen = new Set<string>();
  duplicates = 0;
  private server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const at = Date.now();
        const body = Buffer.concat(chunks).toString("utf8");
        res.writeHead(204).end();
        const path = req.url ?? "/";
        const n = this.received++;
        const key = `${path} ${String(req.headers["webhook-id"])}`;
        if (this.seen.has(key)) this.duplicates++;
        else this.seen.add(key);
        try {
          const event = JSON.parse(body) as { timestamp: string };
          this.latencies.push(at - Date.parse(event.timestamp));
          if (n % verifyEvery === 0) {
            const secret = this.secrets.get(path);
            if (!secret) throw new Error(`no secret for ${path}`);
            new Webhook(secret).verify(body, req.headers as Record<string, string>);
            this.verified++;
          }
        } catch (error) {
          this.failures.push(`${key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.latencies = [];
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

function line(provider: DbProvider, figure: string, value: string, target = "", ok: boolean | null = null) {
  console.log(
    `${provider.padEnd(10)} ${figure.padEnd(44)} ${value.padEnd(40)} ${target.padEnd(22)} ${ok === null ? "" : ok ? "PASS" : "BELOW"}`,
  );
}

async function run(provider: DbProvider): Promise<void> {
  const { target, drop } = await makeTarget(provider);
  await applyMigrations(target);
  const handle = await openDatabase(target);
  const encryptionKey = randomBytes(32);
  const logger = createLogger({ level: "silent" });
  const ctx: DomainContext = {
    db: handle.db,
    provider: handle.provider,
    clock: systemClock,
    logger,
    actor: systemActor,
    ip: null,
    encryptionKey,
    allowPrivateWebhookTargets: true,
  };
  const receiver = new Receiver();
  const url = await receiver.start();
  const worker = () =>
    startWebhookWorker({
      database: handle,
      config: {
        allowPrivateTargets: true,
        timeoutMs: 15_000,
        concurrency,
        retryBaseMs: 5000,
        disableAfterMs: 72 * 3_600_000,
      },
      encryptionKey,
      logger,
      pollIntervalMs: 50,
    });
  const succeeded = () => handle.db.webhookDelivery.count({ where: { status: "succeeded" } });
  /** Polls until `expected` deliveries succeeded; resolves to when that was seen (performance.now()). */
  const drained = async (expected: number): Promise<number> => {
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const done = await succeeded();
      if (done >= expected) return performance.now();
      if (performance.now() > deadline)
        throw new Error(
          `only ${done} of ${expected} deliveries succeeded within ${DRAIN_TIMEOUT_MS / 1000} s`,
        );
      await sleep(20);
    }
  };
  try {
    const product = await createProduct(ctx, { code: "bench-app", name: "Bench app" });
    const policy = await createPolicy(ctx, {
      productId: product.id,
      name: "Bench policy",
      entitlements: [],
    });
    const data = (i: number) => ({
      policy: { ...policyEventData(policy), seatLimit: 2 + (i % 2) },
      changes: { seatLimit: { from: 2 + ((i + 1) % 2), to: 2 + (i % 2) } },
      licensesUpdated: 0,
    });
    for (let i = 0; i < endpointCount; i++) {
      const { secret } = await createWebhookEndpoint(ctx, { url: `${url}/e${i}`, events: ["*"] });
      receiver.secrets.set(`/e${i}`, secret);
    }

    // 1. the backlog
    let t = performance.now();
    for (let written = 0; written < eventCount; written += batch) {
      const n = Math.min(batch, eventCount - written);
      await mutate(ctx, ({ emit }) => {
        for (let i = 0; i < n; i++) emit({ type: "policy.updated", groupId: null, data: data(written + i) });
        return Promise.resolve();
      });
    }
    const enqueueMs = performance.now() - t;
    const deliveries = eventCount * endpointCount;
    line(
      provider,
      `queue ${eventCount} events, ${batch} per change`,
      `${fmt(enqueueMs)} ms = ${fmt(eventCount / (enqueueMs / 1000))} events/s`,
      "reported",
    );
    receiver.reset();
    t = performance.now();
    const w = worker();
    let doneAt: number;
    try {
      doneAt = await drained(deliveries);
    } catch (error) {
      await w.stop();
      throw error;
    }
    const drainS = (doneAt - t) / 1000;
    const slots = Math.min(concurrency, endpointCount * PER_ENDPOINT_IN_FLIGHT);
    line(
      provider,
      `backlog: ${deliveries} deliveries, ${slots} in flight`,
      `${fmt(drainS, 2)} s: ${fmt(eventCount / drainS)} events/s, ${fmt(deliveries / drainS)} deliveries/s`,
      // the target is the worker's with all its slots busy; fewer endpoints cap it by design
      slots === concurrency ? `>= ${TARGET_DELIVERIES_PER_S} deliveries/s` : "reported (endpoint cap)",
      slots === concurrency ? deliveries / drainS >= TARGET_DELIVERIES_PER_S : null,
    );
    const backlog = [...receiver.latencies].sort((a, b) => a - b);
    line(
      provider,
      "backlog enqueue→receipt (queue wait incl.)",
      `p50 ${fmt(quantile(backlog, 0.5))} ms, p95 ${fmt(quantile(backlog, 0.95))} ms`,
      "reported",
    );

    // 2. the steady state: one event per change at a fixed rate while the worker runs
    receiver.reset();
    const steadyEvents = Math.round(rate * steadySeconds);
    const changeMs: number[] = [];
    const writes: Promise<void>[] = [];
    t = performance.now();
    for (let i = 0; i < steadyEvents; i++) {
      const due = t + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const started = performance.now();
      writes.push(
        mutate(ctx, ({ emit }) => {
          emit({ type: "policy.updated", groupId: null, data: data(i) });
          return Promise.resolve();
        }).then(() => {
          changeMs.push(performance.now() - started);
        }),
      );
    }
    await Promise.all(writes);
    const writtenS = (performance.now() - t) / 1000;
    try {
      doneAt = await drained(deliveries + steadyEvents * endpointCount);
    } finally {
      await w.stop();
    }
    const steady = [...receiver.latencies].sort((a, b) => a - b);
    changeMs.sort((a, b) => a - b);
    line(
      provider,
      `steady: ${steadyEvents} events at ${rate}/s`,
      `written in ${fmt(writtenS, 2)} s (${fmt(steadyEvents / writtenS)}/s), drained ${fmt((doneAt - t) / 1000 - writtenS, 2)} s after`,
      "reported",
    );
    line(
      provider,
      "steady: a change with its event (mutate)",
      `p50 ${fmt(quantile(changeMs, 0.5), 1)} ms, p95 ${fmt(quantile(changeMs, 0.95), 1)} ms`,
      "reported",
    );
    line(
      provider,
      "steady: enqueue→receipt",
      `p50 ${fmt(quantile(steady, 0.5))} ms, p95 ${fmt(quantile(steady, 0.95))} ms, max ${fmt(steady.at(-1) ?? 0)} ms`,
      "reported",
    );
    const notSucceeded = await handle.db.webhookDelivery.count({ where: { status: { not: "succeeded" } } });
    const attempts = await handle.db.webhookAttempt.count();
    line(
      provider,
      "checked at the receiver",
      `${receiver.received} received, ${receiver.duplicates} duplicates, ${receiver.verified} verified`,
      "signatures valid",
      receiver.failures.length === 0,
    );
    line(
      provider,
      "in the database",
      `${attempts} attempts, ${notSucceeded} deliveries not succeeded`,
      "reported",
    );
    if (receiver.failures.length > 0) {
      console.error(receiver.failures.slice(0, 5).join("\n"));
      process.exitCode = 1;
    }
  } finally {
    await receiver.stop();
    await handle.close();
    await drop();
  }
}

console.log(
  `node ${process.version}; ${eventCount} events, ${endpointCount} endpoint(s), WEBHOOK_CONCURRENCY ${concurrency} (at most ${PER_ENDPOINT_IN_FLIGHT} in flight per endpoint), steady ${rate}/s for ${steadySeconds} s`,
);
for (const provider of providers) await run(provider);
