// `admin backup [file]`: an encrypted backup of every table (default:
// BACKUP_DIR/backup-<time>.lsbackup), optionally pruning the oldest beyond BACKUP_RETENTION.
import { join } from "node:path";
import type { Command } from "commander";
import { createBackup } from "../../core/backups/create-backup.ts";
import { backupFileName, pruneBackups } from "../../core/backups/backup-retention.ts";
import { serverConfig, withDatabase } from "../context.ts";
import { mib, output, type CliIo } from "../io.ts";
import { Progress } from "../progress.ts";

export function registerBackup(program: Command, io: CliIo): void {
  program
    .command("backup")
    .description("write an encrypted backup of every table (default: BACKUP_DIR/backup-<time>.lsbackup)")
    .argument("[file]", "where to write it (never replaced)")
    .option("--prune", "then delete the oldest backups in BACKUP_DIR beyond BACKUP_RETENTION")
    .option("--json", "machine-readable output")
    .action(async (file: string | undefined, options: { prune?: boolean; json?: boolean }) => {
      const cfg = serverConfig(io);
      const path = file ?? join(cfg.backup.dir, backupFileName(new Date()));
      const progress = new Progress(io, "backup", !options.json);
      const result = await withDatabase(cfg, (ctx) =>
        createBackup(
          ctx,
          { path },
          {
            key: cfg.backup.key,
            onProgress: (p) => {
              progress.update(p.rows, p.totalRows, p.table);
            },
          },
        ),
      ).finally(() => {
        progress.done();
      });
      const pruned = options.prune ? pruneBackups(cfg.backup.dir, cfg.backup.retention) : [];
      output(
        io,
        options.json,
        { ...result, pruned },
        `backup written: ${result.path}\n  ${result.rows} rows, ${mib(result.bytes)}, ${(result.durationMs / 1000).toFixed(1)} s\n  sha256 ${result.sha256}` +
          (pruned.length ? `\n  pruned: ${pruned.join(", ")}` : ""),
      );
    });
}
