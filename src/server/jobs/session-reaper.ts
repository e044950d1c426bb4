// The session reaper: every REAPER_INTERVAL_SECONDS it ends the sessions whose heartbeats stopped
// (their seats free up), then samples the active sessions for the dashboard's activity chart. One
// run at a time; stopping waits for the running one, so a shutdown never cuts a transaction.
import { systemActor, type Clock } from "../core/context.ts";
import type { HeartbeatBuffer } from "../core/sessions/heartbeat-buffer.ts";
import { reapDeadSessions } from "../core/sessions/reap-sessions.ts";
import { sampleActiveSessions } from "../core/stats/activity.ts";
import type { DbHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";

export interface SessionReaperOptions {
  database: DbHandle;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
  /** this process's buffered heartbeats: written first, so their sessions are not taken for dead */
  heartbeats: HeartbeatBuffer;
  toleranceSeconds: number;
  /** 0: no timer (runs only when asked) */
  intervalSeconds: number;
}

export interface SessionReaper {
  /** One run now (joins the running one); resolves to the number of sessions it ended. */
  runNow(): Promise<number>;
  /** Stops the timer and waits for a running run. */
  stop(): Promise<void>;
}

export function startSessionReaper(options: SessionReaperOptions): SessionReaper {
  const { database, clock, logger, heartbeats, toleranceSeconds } = options;
  const ctx = {
    db: database.db,
    provider: database.provider,
    clock,
    logger,
    actor: systemActor,
    ip: null,
    encryptionKey: options.encryptionKey,
  };
  let running: Promise<number> | undefined;
  const runNow = () => {
    running ??= heartbeats
      .flush()
      .then(() => reapDeadSessions(ctx, toleranceSeconds))
      .then(async (ended) => {
        await sampleActiveSessions(database.db, clock.now(), toleranceSeconds);
        return ended;
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "the session reaper failed");
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer =
    options.intervalSeconds > 0
      ? setInterval(() => {
          void runNow();
        }, options.intervalSeconds * 1000)
      : undefined;
  timer?.unref();
  return {
    runNow,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
