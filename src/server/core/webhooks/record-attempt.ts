// What the worker writes after an attempt: the attempt in the delivery log, the delivery's new
// state (succeeded; pending again after a backoff with jitter; failed once the retries ran out),
// the endpoint's run of failures, and, when that run has lasted WEBHOOK_DISABLE_AFTER_HOURS, the
// endpoint disabled with an audit record.
import type { Db } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { Logger } from "../../logger.ts";
import { systemActor, type Clock } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import type { ClaimedDelivery } from "./claim-deliveries.ts";
import type { AttemptResult } from "./post-webhook.ts";
import { endpointGroupIds } from "./select.ts";

/** Each retry's delay as a multiple of WEBHOOK_RETRY_BASE_MS (docs/webhooks.md "Retries"). */
export const RETRY_MULTIPLIERS = [1, 6, 24, 120, 360, 720, 1440, 2880, 5760, 5760] as const;
/** The first attempt and its retries. */
export const MAX_ATTEMPTS = RETRY_MULTIPLIERS.length + 1;
/** ±20 % on every delay, so deliveries that failed together do not retry together. */
const JITTER = 0.2;

/**
 * The delay before the next attempt after `attemptsMade` attempts failed, or null when none is
 * left (a redelivered failed delivery gets one attempt per redelivery).
 */
export function retryDelayMs(
  attemptsMade: number,
  baseMs: number,
  random: () => number = Math.random,
): number | null {
  const multiplier = RETRY_MULTIPLIERS[attemptsMade - 1];
  if (multiplier === undefined || attemptsMade < 1) return null;
  return Math.round(baseMs * multiplier * (1 - JITTER + 2 * JITTER * random()));
}

export type AttemptOutcome = "succeeded" | "retrying" | "failed";

/** Each recorded attempt (the metrics count them). */
export const webhookAttemptObservers = new Set<
  (attempt: { outcome: AttemptOutcome; latencyMs: number }) => void
>();

export interface RecordContext {
  db: Db;
  provider: DbProvider;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
}

export interface RecordOptions {
  /** when the attempt started */
  at: Date;
  retryBaseMs: number;
  disableAfterMs: number;
  random?: () => number;
}

export interface RecordResult {
  outcome: AttemptOutcome;
  /** the claim had run out and someone else took the delivery over: its state was left alone */
  stale: boolean;
  /** this attempt's failure disabled the endpoint */
  disabledEndpoint: boolean;
}

export async function recordAttempt(
  ctx: RecordContext,
  delivery: ClaimedDelivery,
  result: AttemptResult,
  options: RecordOptions,
): Promise<RecordResult> {
  const now = ctx.clock.now();
  const attempt = delivery.attempts + 1;
  const delay = result.ok ? null : retryDelayMs(attempt, options.retryBaseMs, options.random);
  const outcome: AttemptOutcome = result.ok ? "succeeded" : delay === null ? "failed" : "retrying";
  let updated: { count: number };
  try {
    [, updated] = await ctx.db.$transaction([
      ctx.db.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          attempt,
          at: options.at,
          statusCode: result.statusCode,
          latencyMs: result.latencyMs,
          responseExcerpt: result.excerpt,
          error: result.error,
        },
        select: { id: true },
      }),
      // only while the claim is ours: a redelivery or a worker that took over a run-out claim wins
      ctx.db.webhookDelivery.updateMany({
        where: { id: delivery.id, status: "pending", lockedUntil: delivery.leaseUntil },
        data: {
          status: outcome === "retrying" ? "pending" : outcome,
          attempts: attempt,
          lastAttemptAt: options.at,
          lastStatusCode: result.statusCode,
          lastError: result.error,
          lockedUntil: null,
          ...(delay !== null ? { nextAttemptAt: new Date(now.getTime() + delay) } : {}),
          ...(outcome === "retrying" ? {} : { completedAt: now }),
        },
      }),
      result.ok
        ? ctx.db.webhookEndpoint.updateMany({
            where: { id: delivery.endpointId, failingSince: { not: null } },
            data: { failingSince: null },
          })
        : ctx.db.webhookEndpoint.updateMany({
            where: { id: delivery.endpointId, failingSince: null },
            data: { failingSince: options.at },
          }),
    ]);
  } catch (error) {
    // the endpoint (and its deliveries) was deleted while the attempt ran: nothing to record
    const exists = await ctx.db.webhookDelivery.count({ where: { id: delivery.id } });
    if (exists === 0) return { outcome, stale: true, disabledEndpoint: false };
    throw error;
  }
  for (const observer of webhookAttemptObservers) observer({ outcome, latencyMs: result.latencyMs });
  let disabledEndpoint = false;
  if (!result.ok) {
    const failingSince = delivery.failingSince ?? options.at;
    if (now.getTime() - failingSince.getTime() >= options.disableAfterMs)
      disabledEndpoint = await disableFailingEndpoint(
        ctx,
        delivery.endpointId,
        new Date(now.getTime() - options.disableAfterMs),
      );
  }
  return { outcome, stale: updated.count === 0, disabledEndpoint };
}

/**
 * Disables the endpoint if it is enabled and has failed without a success since `cutoff` or
 * earlier (checked in the database: a success meanwhile keeps it), with an audit record.
 */
async function disableFailingEndpoint(
  ctx: RecordContext,
  endpointId: string,
  cutoff: Date,
): Promise<boolean> {
  return mutate({ ...ctx, actor: systemActor, ip: null }, async ({ tx, audit }) => {
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, enabled: true, failingSince: { lte: cutoff } },
      data: { enabled: false, disabledReason: "failing" },
    });
    if (count === 0) return false;
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({
      where: { id: endpointId },
      select: { url: true, groupIds: true, failingSince: true },
    });
    audit({
      action: "webhook_endpoint.disable",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: {
        reason: "failing",
        url: endpoint.url,
        failingSince: endpoint.failingSince?.toISOString() ?? null,
      },
      groupIds: endpointGroupIds(endpoint) ?? [],
    });
    ctx.logger.warn(
      { endpointId, url: endpoint.url, failingSince: endpoint.failingSince },
      "webhook endpoint disabled: its deliveries have failed for WEBHOOK_DISABLE_AFTER_HOURS without a success",
    );
    return true;
  });
}
