// The process-wide server context for Next route handlers: configuration, logger and database,
// created on first use and kept on globalThis so that Next's dev reloads reuse one pool.
import { loadConfig, type Config } from "./config.ts";
import { logPoolErrors, openDatabase, type DbHandle } from "./db/client.ts";
import { createLogger, type Logger } from "./logger.ts";

export interface ServerRuntime {
  config: Config;
  logger: Logger;
  database: DbHandle;
}

const holder = globalThis as typeof globalThis & { __licenseServerRuntime?: Promise<ServerRuntime> };

async function createRuntime(): Promise<ServerRuntime> {
  // The launcher generated the secrets and migrated already; the web app only reads them.
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: "web" });
  const database = await openDatabase(config.database, { onPoolError: logPoolErrors(logger) });
  logger.info({ provider: database.provider }, "database opened");
  return { config, logger, database };
}

/** The runtime, created on first call; a failed creation is retried by the next call. */
export function getServerRuntime(): Promise<ServerRuntime> {
  let runtime = holder.__licenseServerRuntime;
  if (!runtime) {
    runtime = createRuntime();
    holder.__licenseServerRuntime = runtime;
    runtime.catch(() => {
      if (holder.__licenseServerRuntime === runtime) holder.__licenseServerRuntime = undefined;
    });
  }
  return runtime;
}

/** Closes the database of the cached runtime, if one was made (tests, shutdown hooks). */
export async function closeServerRuntime(): Promise<void> {
  const runtime = holder.__licenseServerRuntime;
  holder.__licenseServerRuntime = undefined;
  if (!runtime) return;
  try {
    await (await runtime).database.close();
  } catch {
    // creation failed: nothing was opened
  }
}
