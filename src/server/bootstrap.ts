// What the launcher does before anything serves: the data directory, the migrations, the
// first-run data. Kept apart from scripts/start.ts so that tests and other entry points reuse it.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "./config.ts";
import { logPoolErrors, openDatabase } from "./db/client.ts";
import { DATA_DIR_MODE, ensurePrivateDir, protectDatabaseFiles, protectDataFiles } from "./db/file-modes.ts";
import { applyMigrations } from "./db/migrate.ts";
import { redactDatabaseUrl } from "./db/provider.ts";
import { seedInitialData, type SeedResult } from "./db/seed.ts";
import { ensureSigningKey } from "./core/signing-keys/ensure-signing-key.ts";
import { errorSummary } from "./error-summary.ts";
import type { Logger } from "./logger.ts";

export interface PrepareResult {
  /** migrations applied by this call (empty when the database was up to date) */
  applied: string[];
  seed: SeedResult;
}

/** An error while preparing the database, with a message fit for an operator. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Where the database is, safe to print. */
export function describeDatabase(config: Pick<Config, "database" | "databaseUrl">): string {
  return config.database.provider === "sqlite"
    ? `sqlite at ${config.database.url}`
    : `postgresql at ${redactDatabaseUrl(config.databaseUrl)}`;
}

/**
 * Creates the data directory (0700; the SQLite files 0600), applies pending migrations and seeds
 * the first-run data (the default group, the first super admin). Safe to run on every start.
 */
export async function prepareDatabase(config: Config, logger: Logger): Promise<PrepareResult> {
  const where = describeDatabase(config);
  try {
    // the data directory 0700, the SQLite files 0600 (created so, or tightened)
    ensurePrivateDir(config.dataDir);
    // a database file elsewhere (DATABASE_URL): its directory is made 0700 if missing, never changed
    if (config.database.provider === "sqlite")
      mkdirSync(dirname(config.database.url), { recursive: true, mode: DATA_DIR_MODE });
    protectDatabaseFiles(config.database);
    protectDataFiles(config.dataDir, config.backup.dir);
  } catch (error) {
    throw new StartupError(`cannot prepare the data directory ${config.dataDir}: ${errorSummary(error)}`, {
      cause: error,
    });
  }
  let applied: string[];
  try {
    applied = await applyMigrations(config.database);
  } catch (error) {
    throw new StartupError(`cannot migrate the database (${where}): ${errorSummary(error)}`, {
      cause: error,
    });
  }
  if (applied.length > 0) logger.info({ applied }, "applied database migrations");
  else logger.info({ provider: config.database.provider }, "database schema up to date");

  let handle;
  try {
    handle = await openDatabase(config.database, { onPoolError: logPoolErrors(logger) });
  } catch (error) {
    throw new StartupError(`cannot open the database (${where}): ${errorSummary(error)}`, { cause: error });
  }
  try {
    const seed = await seedInitialData(handle, config.initialAdmin, logger, config.encryptionKey);
    const key = await ensureSigningKey(handle, config.encryptionKey);
    logger.info({ kid: key.kid }, "signing key ready");
    return { applied, seed };
  } catch (error) {
    throw new StartupError(`cannot write the first-run data (${where}): ${errorSummary(error)}`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}

/** The once-only notice of a generated first password, framed so it stands out in the log. */
export function generatedPasswordNotice(email: string, password: string): string {
  const lines = [
    "First super admin created with a generated password (shown only this once):",
    "",
    `    email:    ${email}`,
    `    password: ${password}`,
    "",
    "Sign in and change it. To choose it yourself on a fresh database, set",
    "LICENSE_SERVER_ADMIN_EMAIL and LICENSE_SERVER_ADMIN_PASSWORD.",
  ];
  const rule = "=".repeat(Math.max(...lines.map((line) => line.length)) + 4);
  return ["", rule, ...lines.map((line) => `  ${line}`), rule, ""].join("\n") + "\n";
}
