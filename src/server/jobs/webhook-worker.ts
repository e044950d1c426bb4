// The webhook delivery worker, run by every sidecar: it claims due deliveries
// (core/webhooks/claim-deliveries.ts; on PostgreSQL with FOR UPDATE SKIP LOCKED, so several
// sidecars share the queue and each delivery is sent by one of them), sends each
// (core/webhooks/post-webhook.ts) and records the attempt (core/webhooks/record-attempt.ts).
// At most WEBHOOK_CONCURRENCY sends at a time, at most PER_ENDPOINT_IN_FLIGHT to one endpoint, so
// a slow receiver holds two slots and never the whole worker. It looks for due deliveries every
// `pollIntervalMs`, at once after this process writes events, and whenever a send finishes.
// Killed mid-send, its claims run out after the lease and the deliveries are sent again, with the
// same webhook-id (at-least-once).
import type { WebhookConfig } from "../config.ts";
import { systemClock, type Clock } from "../core/context.ts";
import { eventWriteObservers } from "../core/events/write-events.ts";
import { claimDueDeliveries, type ClaimedDelivery } from "../core/webhooks/claim-deliveries.ts";
import { postWebhook, type AttemptResult } from "../core/webhooks/post-webhook.ts";
import { recordAttempt } from "../core/webhooks/record-attempt.ts";
import type { DbHandle } from "../db/client.ts";
import { errorSummary } from "../error-summary.ts";
import type { Logger } from "../logger.ts";

/** Sends to one endpoint at a time, per worker. */
export const PER_ENDPOINT_IN_FLIGHT = 2;
export const WEBHOOK_POLL_INTERVAL_MS = 1000;

/**
 * How long a claim holds: the attempt's time limit plus as much again (at least 5 s) to record
 * it. A worker that was killed holds its deliveries this long before another sends them.
 */
export function webhookLeaseMs(timeoutMs: number): number {
  return timeoutMs + Math.max(5000, timeoutMs);
}

export interface WebhookWorkerOptions {
  database: DbHandle;
  config: WebhookConfig;
  /** the server's ENCRYPTION_KEY: the endpoints' secrets are sealed with it */
  encryptionKey: Buffer;
  logger: Logger;
  clock?: Clock;
  /** default 1 s; 0: no timer and no wake-ups (sends only when runOnce is called) */
  pollIntervalMs?: number;
  /** the jitter's source (tests) */
  random?: () => number;
}

export interface WebhookWorker {
  /**
   * Claims what is due now and sends it, again while more is due, and resolves when those
   * attempts are recorded: to how many attempts were made.
   */
  runOnce(): Promise<number>;
  /** Stops claiming and waits for the sends in flight to be recorded. */
  stop(): Promise<void>;
}

export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { database, config, logger } = options;
  const clock = options.clock ?? systemClock;
  const pollIntervalMs = options.pollIntervalMs ?? WEBHOOK_POLL_INTERVAL_MS;
  const leaseMs = webhookLeaseMs(config.timeoutMs);
  const recordContext = {
    db: database.db,
    provider: database.provider,
    clock,
    logger,
    encryptionKey: options.encryptionKey,
  };

  let stopped = false;
  const inFlight = new Map<string, number>();
  const sends = new Set<Promise<void>>();
  let claiming: Promise<number> | undefined;
  /** asked to claim while a claim ran: claim once more after it */
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let lastClaimError = 0;

  const deliver = async (delivery: ClaimedDelivery): Promise<void> => {
    const at = clock.now();
    const result: AttemptResult = delivery.problem
      ? { ok: false, statusCode: null, latencyMs: 0, excerpt: "", error: delivery.problem }
      : await postWebhook(
          { url: delivery.url, secrets: delivery.secrets },
          { id: delivery.eventId, body: delivery.body },
          { timeoutMs: config.timeoutMs, allowPrivateTargets: config.allowPrivateTargets, now: at },
        );
    const recorded = await recordAttempt(recordContext, delivery, result, {
      at,
      retryBaseMs: config.retryBaseMs,
      disableAfterMs: config.disableAfterMs,
      random: options.random,
    });
    if (!result.ok)
      logger.debug(
        {
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          error: result.error,
          outcome: recorded.outcome,
        },
        "webhook attempt failed",
      );
  };

  const start = (delivery: ClaimedDelivery) => {
    inFlight.set(delivery.endpointId, (inFlight.get(delivery.endpointId) ?? 0) + 1);
    const send: Promise<void> = deliver(delivery)
      .catch((error: unknown) => {
        // not recorded (the database failed): the claim runs out and the delivery is sent again
        logger.error({ err: error, deliveryId: delivery.id }, "recording a webhook attempt failed");
      })
      .finally(() => {
        const left = (inFlight.get(delivery.endpointId) ?? 1) - 1;
        if (left > 0) inFlight.set(delivery.endpointId, left);
        else inFlight.delete(delivery.endpointId);
        sends.delete(send);
        if (pollIntervalMs > 0) wake(0); // a slot is free
      });
    sends.add(send);
  };

  /** One claim for the free slots; resolves to how many deliveries it started. */
  const claimOnce = async (): Promise<number> => {
    const free = config.concurrency - sends.size;
    if (stopped || free <= 0) return 0;
    const now = clock.now();
    const endpointRoom = new Map<string, number>();
    for (const [endpointId, count] of inFlight) endpointRoom.set(endpointId, PER_ENDPOINT_IN_FLIGHT - count);
    const claimed = await claimDueDeliveries(database.db, database.provider, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit: free,
      endpointRoom,
      perEndpoint: PER_ENDPOINT_IN_FLIGHT,
      encryptionKey: options.encryptionKey,
    });
    for (const delivery of claimed) start(delivery);
    return claimed.length;
  };

  /** Claims (one claim at a time in this process) while claims fill free slots. */
  const claimWhileDue = (): Promise<number> => {
    if (claiming) {
      again = true;
      return claiming;
    }
    claiming = (async () => {
      let started = 0;
      for (;;) {
        const free = config.concurrency - sends.size;
        const count = await claimOnce();
        started += count;
        if (count === 0 || count < free) {
          if (!again) break;
          again = false;
        }
      }
      return started;
    })()
      .catch((error: unknown) => {
        const now = Date.now();
        if (now - lastClaimError > 60_000) {
          lastClaimError = now;
          logger.error({ error: errorSummary(error) }, "claiming webhook deliveries failed; trying again");
        }
        return 0;
      })
      .finally(() => {
        claiming = undefined;
      });
    return claiming;
  };

  function wake(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void claimWhileDue().finally(() => {
        if (!stopped && !timer) wake(pollIntervalMs);
      });
      timer = undefined;
    }, delayMs);
    timer.unref();
  }

  const onEvents = () => {
    wake(0);
  };
  if (pollIntervalMs > 0) {
    eventWriteObservers.add(onEvents);
    wake(0);
  }

  return {
    runOnce: async () => {
      let attempts = 0;
      for (;;) {
        const started = await claimWhileDue();
        attempts += started;
        await Promise.all([...sends]);
        if (started === 0) return attempts;
      }
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      eventWriteObservers.delete(onEvents);
      await claiming;
      await Promise.all([...sends]);
    },
  };
}
