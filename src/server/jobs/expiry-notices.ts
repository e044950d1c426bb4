// The expiry notices job: every 5 minutes (and once at start) it sends the license expiry events
// that are due (core/events/scan-expiries.ts), calling the scan again while it says more are
// due. One run at a time; stopping waits for the running one, so a shutdown never cuts a
// transaction. Several sidecars may run it on one database: each notice is sent once.
import { systemActor, type Clock } from "../core/context.ts";
import { scanExpiries, type ExpiryScanResult } from "../core/events/scan-expiries.ts";
import type { DbHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";

export const EXPIRY_SCAN_INTERVAL_MS = 5 * 60_000;
/** Notices per scan call (a page of licenses); a run calls again while more are due. */
const NOTICES_PER_CALL = 500;
/** At most this many calls per run: the rest waits for the next run. */
const CALLS_PER_RUN = 20;

export interface ExpiryNoticesOptions {
  database: DbHandle;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
  /** default 5 minutes; 0: no timer and no run at start (runs only when asked) */
  intervalMs?: number;
}

export interface ExpiryNotices {
  /** One run now (joins the running one); resolves to what it sent. */
  runNow(): Promise<ExpiryScanResult>;
  /** Stops the timer and waits for a running run. */
  stop(): Promise<void>;
}

const nothing = (): ExpiryScanResult => ({
  expiringSoon: 0,
  expired: 0,
  trialsExpired: 0,
  alreadySent: 0,
  more: false,
});

export function startExpiryNotices(options: ExpiryNoticesOptions): ExpiryNotices {
  const { database, clock, logger } = options;
  const intervalMs = options.intervalMs ?? EXPIRY_SCAN_INTERVAL_MS;
  const ctx = {
    db: database.db,
    provider: database.provider,
    clock,
    logger,
    actor: systemActor,
    ip: null,
    encryptionKey: options.encryptionKey,
  };
  let stopped = false;
  let running: Promise<ExpiryScanResult> | undefined;
  const run = async (): Promise<ExpiryScanResult> => {
    const total = nothing();
    for (let call = 0; call < CALLS_PER_RUN && !stopped; call++) {
      const result = await scanExpiries(ctx, { limit: NOTICES_PER_CALL });
      total.expiringSoon += result.expiringSoon;
      total.expired += result.expired;
      total.trialsExpired += result.trialsExpired;
      total.alreadySent += result.alreadySent;
      total.more = result.more;
      if (!result.more) break;
    }
    return total;
  };
  const runNow = () => {
    running ??= run()
      .catch((error: unknown) => {
        logger.error({ err: error }, "the expiry notices job failed");
        return nothing();
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          void runNow();
        }, intervalMs)
      : undefined;
  timer?.unref();
  if (intervalMs > 0) void runNow();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
