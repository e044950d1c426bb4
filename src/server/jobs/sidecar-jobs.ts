// The background jobs the gRPC sidecar runs beside its calls, besides the session reaper that its
// server starts with its own services (session-reaper.ts): scheduled backups (when BACKUP_SCHEDULE
// is set), this process's audit checkpointer, the expiry notices and the webhook delivery worker. The web app runs only its own checkpointer
// (src/server/admin-services.ts). See docs/architecture.md "Background jobs".
import type { Config } from "../config.ts";
import { systemClock } from "../core/context.ts";
import type { DbHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { startAuditCheckpointer } from "./audit-checkpointer.ts";
import { startExpiryNotices } from "./expiry-notices.ts";
import { scheduleBackups, type BackupSchedule } from "./scheduled-backups.ts";
import { startWebhookWorker } from "./webhook-worker.ts";

export interface SidecarJobs {
  backups: BackupSchedule | undefined;
  /** stops the schedules and waits for what is running (a backup, a checkpoint) */
  stop(): Promise<void>;
}

export function startSidecarJobs(config: Config, database: DbHandle, logger: Logger): SidecarJobs {
  const backups = config.backup.schedule
    ? scheduleBackups({
        pattern: config.backup.schedule,
        dir: config.backup.dir,
        retention: config.backup.retention,
        database: config.database,
        key: config.backup.key,
        encryptionKey: config.encryptionKey,
        logger,
      })
    : undefined;
  // the audit chain's signed head in DATA_DIR/audit-head.json, after this process's audit writes
  const checkpointer = startAuditCheckpointer({
    db: database.db,
    encryptionKey: config.encryptionKey,
    logger,
    dataDir: config.dataDir,
  });
  // license expiry events (license.expiring_soon, license.expired, trial.expired), every 5 minutes
  const expiryNotices = startExpiryNotices({
    database,
    clock: systemClock,
    logger,
    encryptionKey: config.encryptionKey,
  });
  // webhook deliveries: claims due ones (shared with other sidecars on PostgreSQL) and sends them
  const webhooks = startWebhookWorker({
    database,
    config: config.webhooks,
    encryptionKey: config.encryptionKey,
    logger,
  });
  return {
    backups,
    stop: async () => {
      await expiryNotices.stop();
      await webhooks.stop();
      await backups?.stop();
      await checkpointer.stop();
    },
  };
}
