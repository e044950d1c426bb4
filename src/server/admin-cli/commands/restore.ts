// `admin restore <file>`: a backup into an empty database (the configured one or
// --database-url, SQLite or PostgreSQL whatever the source was). The key and the file are checked
// and the target found empty before anything is migrated; restoring the server's own database
// moves the audit checkpoint in DATA_DIR to the restored head.
import type { Command } from "commander";
import { anchorIn, checkpointAuditHead } from "../../core/audit/checkpoint.ts";
import { occupiedTables, restoreBackup } from "../../core/backups/restore-backup.ts";
import { verifyBackup } from "../../core/backups/verify-backup.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { parseDatabaseUrl } from "../../db/provider.ts";
import { errorSummary } from "../../error-summary.ts";
import { checkpointText } from "../audit-text.ts";
import { serverConfig, withDatabase } from "../context.ts";
import { CliError, output, type CliIo } from "../io.ts";
import { Progress } from "../progress.ts";

export function registerRestore(program: Command, io: CliIo): void {
  program
    .command("restore")
    .description(
      "restore a backup into an empty database (migrated first); the target may be SQLite or PostgreSQL, whatever the source was",
    )
    .argument("<file>", "the backup file")
    .option("--database-url <url>", "the database to restore into (default: DATABASE_URL)")
    .option(
      "--allow-other-encryption-key",
      "restore although this ENCRYPTION_KEY is not the source server's (signing keys and TOTP secrets will not decrypt)",
    )
    .option("--json", "machine-readable output")
    .action(
      async (
        file: string,
        options: { databaseUrl?: string; allowOtherEncryptionKey?: boolean; json?: boolean },
      ) => {
        const cfg = serverConfig(io);
        let target = cfg.database;
        if (options.databaseUrl) {
          try {
            target = parseDatabaseUrl(options.databaseUrl);
          } catch (error) {
            throw new CliError(`--database-url: ${errorSummary(error)}`, 2);
          }
        }
        // the key and the file first: a wrong key or a damaged file must not even migrate the target
        await verifyBackup({ path: file }, cfg.backup.key);
        // a database with data is refused before anything is migrated (a fresh one has no tables yet)
        const occupied = await withDatabase(cfg, (ctx) => occupiedTables(ctx.db).catch(() => []), target);
        if (occupied.length > 0)
          throw new CliError(
            `the database is not empty (${occupied.join(", ")}); restore into a new, empty database`,
          );
        try {
          await applyMigrations(target);
        } catch (error) {
          throw new CliError(`cannot migrate the target database: ${errorSummary(error)}`);
        }
        const progress = new Progress(io, "restore", !options.json);
        // the server's own database: its checkpoint in DATA_DIR may be ahead of the restored chain
        const ownDatabase = target === cfg.database;
        const { result, checkpoint } = await withDatabase(
          cfg,
          async (ctx) => {
            const result = await restoreBackup(
              ctx,
              { path: file, allowOtherEncryptionKey: options.allowOtherEncryptionKey ?? false },
              {
                key: cfg.backup.key,
                onProgress: (p) => {
                  progress.update(p.rows, p.totalRows, `${p.phase} ${p.table}`);
                },
              },
            );
            progress.done();
            // the restore is the operator's decision: the checkpoint follows the restored head
            const checkpoint = ownDatabase
              ? await checkpointAuditHead(
                  { db: ctx.db, encryptionKey: ctx.encryptionKey, logger: ctx.logger },
                  anchorIn(cfg.dataDir),
                  { force: true },
                )
              : null;
            return { result, checkpoint };
          },
          target,
        ).finally(() => {
          progress.done();
        });
        const anchorNote = checkpoint
          ? `; audit ${checkpointText(checkpoint)}`
          : "; the audit checkpoint in DATA_DIR was left alone (another database): after moving the server to it, run verify-audit --reanchor";
        output(
          io,
          options.json,
          {
            tables: result.tables,
            rows: result.rows,
            durationMs: result.durationMs,
            from: result.header.sourceProvider,
            to: target.provider,
            auditCheckpoint: checkpoint,
          },
          `restored ${result.rows} rows (${result.header.sourceProvider} → ${target.provider}) in ${(result.durationMs / 1000).toFixed(1)} s${anchorNote}`,
        );
      },
    );
}
