// `npm run db:migrate`: applies pending migrations to the configured database (DATABASE_URL, or
// the SQLite file in DATA_DIR) and says what it applied. `npm start` does this on its own.
import { mkdirSync } from "node:fs";
import { describeDatabase } from "../src/server/bootstrap.ts";
import { errorSummary } from "../src/server/error-summary.ts";
import { ConfigError, loadConfig } from "../src/server/config.ts";
import { applyMigrations } from "../src/server/db/migrate.ts";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env, { generateSecrets: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`db:migrate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const where = describeDatabase(config);
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const applied = await applyMigrations(config.database);
    if (applied.length === 0) {
      process.stdout.write(`Database ${where} is up to date.\n`);
    } else {
      process.stdout.write(`Applied ${applied.length} migration(s) to ${where}:\n`);
      for (const name of applied) process.stdout.write(`  ${name}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`db:migrate: cannot migrate the database (${where}): ${errorSummary(error)}\n`);
    return 1;
  }
}

// The schema engine leaves a timer behind: exit explicitly once done.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`db:migrate: ${errorSummary(error)}\n`);
    process.exit(1);
  },
);
