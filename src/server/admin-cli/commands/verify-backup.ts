// `admin verify-backup <file>`: checks a backup with the configured key: every chunk, every row,
// the counts.
import type { Command } from "commander";
import { describeBackup, verifyBackup } from "../../core/backups/verify-backup.ts";
import { serverConfig } from "../context.ts";
import { output, type CliIo } from "../io.ts";

export function registerVerifyBackup(program: Command, io: CliIo): void {
  program
    .command("verify-backup")
    .description("check a backup file with the configured key: every chunk, every row, the counts")
    .argument("<file>", "the backup file")
    .option("--json", "machine-readable output")
    .action(async (file: string, options: { json?: boolean }) => {
      const cfg = serverConfig(io);
      const header = await describeBackup({ path: file });
      const result = await verifyBackup({ path: file }, cfg.backup.key);
      output(
        io,
        options.json,
        { ok: true, ...result },
        `backup ok: ${result.rows} rows from ${header.sourceProvider}, made ${header.createdAt} by version ${header.appVersion}`,
      );
    });
}
