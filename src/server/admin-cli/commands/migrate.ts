// `admin migrate`: applies pending database migrations (npm start does this too).
import type { Command } from "commander";
import { describeDatabase } from "../../bootstrap.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { errorSummary } from "../../error-summary.ts";
import { serverConfig } from "../context.ts";
import { CliError, output, type CliIo } from "../io.ts";

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command("migrate")
    .description("apply pending database migrations (npm start does this too)")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      // as `npm start` and `npm run db:migrate` do, a first run makes the secrets
      const cfg = serverConfig(io, { generateSecrets: true });
      let applied: string[];
      try {
        applied = await applyMigrations(cfg.database);
      } catch (error) {
        throw new CliError(`cannot migrate the database (${describeDatabase(cfg)}): ${errorSummary(error)}`);
      }
      output(
        io,
        options.json,
        { database: describeDatabase(cfg), applied },
        applied.length === 0
          ? `${describeDatabase(cfg)} is up to date`
          : `applied ${applied.length} migration(s) to ${describeDatabase(cfg)}:\n${applied.map((m) => `  ${m}`).join("\n")}`,
      );
    });
}
