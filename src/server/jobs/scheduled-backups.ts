// Scheduled backups (BACKUP_SCHEDULE, a cron expression in UTC) with retention (BACKUP_RETENTION
// files kept in BACKUP_DIR). The sidecar runs the schedule; each run opens a connection of its own,
// so the snapshot never holds up the licensing calls. With several instances on one database, each
// scheduled run is claimed in the database first, so one instance takes it.
import { join } from "node:path";
import { Cron } from "croner";
import type { Logger } from "../logger.ts";
import { openDatabase } from "../db/client.ts";
import type { DbTarget } from "../db/provider.ts";
import { systemClock, type Clock } from "../core/context.ts";
import { backupFileName, pruneBackups } from "../core/backups/backup-retention.ts";
import { claimScheduledRun } from "../core/backups/claim-scheduled-run.ts";
import { createBackup, type BackupResult } from "../core/backups/create-backup.ts";

export interface BackupScheduleOptions {
  pattern: string;
  dir: string;
  retention: number;
  database: DbTarget;
  key: Buffer;
  encryptionKey: Buffer;
  logger: Logger;
  clock?: Clock;
}

export interface BackupSchedule {
  nextRun(): Date | null;
  /**
   * One backup now (with pruning), as a scheduled run would but without claiming it; null when
   * one is running.
   */
  runNow(): Promise<BackupResult | null>;
  /** stops the schedule and waits for a running backup */
  stop(): Promise<void>;
}

/**
 * One backup into `dir` under a time-stamped name, then pruning to `retention` files. With `claim`
 * (a scheduled run), only when this instance claims that run; null when another one did.
 */
export async function runScheduledBackup(
  options: Omit<BackupScheduleOptions, "pattern">,
  claim?: { slot: Date; intervalMs: number },
): Promise<BackupResult | null> {
  const clock = options.clock ?? systemClock;
  const handle = await openDatabase(options.database, { poolSize: 1 });
  try {
    if (claim && !(await claimScheduledRun(handle.db, claim.slot, claim.intervalMs))) {
      options.logger.info({ slot: claim.slot.toISOString() }, "another instance took this scheduled backup");
      return null;
    }
    const result = await createBackup(
      {
        db: handle.db,
        provider: handle.provider,
        clock,
        logger: options.logger,
        actor: { type: "system", id: null, label: "backup schedule", role: "super_admin", groupIds: [] },
        ip: null,
        encryptionKey: options.encryptionKey,
      },
      { path: join(options.dir, backupFileName(clock.now())) },
      { key: options.key },
    );
    const pruned = pruneBackups(options.dir, options.retention);
    options.logger.info(
      { path: result.path, bytes: result.bytes, rows: result.rows, ms: result.durationMs, pruned },
      "scheduled backup written",
    );
    return result;
  } finally {
    await handle.close();
  }
}

export function scheduleBackups(options: BackupScheduleOptions): BackupSchedule {
  const clock = options.clock ?? systemClock;
  let running: Promise<BackupResult | null> | undefined;
  const run = (claim?: { slot: Date; intervalMs: number }) => {
    if (running) return Promise.resolve(null);
    running = runScheduledBackup(options, claim)
      .catch((error: unknown) => {
        options.logger.error({ err: error }, "scheduled backup failed");
        return null;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const job = new Cron(options.pattern, { timezone: "UTC", unref: true }, (self: Cron) => {
    // the run's slot is its second by this instance's clock; the next one gives the interval
    const slot = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    const next = self.nextRun();
    void run({ slot, intervalMs: next ? next.getTime() - slot.getTime() : 0 });
  });
  options.logger.info(
    { schedule: options.pattern, next: job.nextRun()?.toISOString(), dir: options.dir },
    "backups scheduled",
  );
  return {
    nextRun: () => job.nextRun(),
    runNow: () => run(),
    stop: async () => {
      job.stop();
      await running;
    },
  };
}
