// Where rate limits count (RATE_LIMIT_STORE): in each process ("memory"), or in a store every
// process and instance shares ("database": a table in the PostgreSQL database; with SQLite, a file
// of its own beside the database, so counting never waits for the data's write lock). Used by the
// sign-in limits and the licensing API's limits.
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import { logPoolErrors } from "./db/client.ts";
import type { DbTarget } from "./db/provider.ts";
import type { Logger } from "./logger.ts";

/** The shared store's table (PostgreSQL, and in the SQLite file). */
export const RATE_LIMIT_TABLE = "rate_limits";
/** The shared store's file with SQLite: beside the database file. */
export const rateLimitFile = (databaseFile: string) => join(dirname(databaseFile), "rate-limits.db");

export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  /** the window, seconds */
  duration: number;
  /** how long a key stays blocked once its points are spent, seconds (default: the window's rest) */
  blockDuration?: number;
}

export interface SharedLimitStore {
  target: DbTarget;
  logger: Logger;
}

/** Limiters by name, and the close of what they opened. */
export interface Limiters<K extends string> {
  get: Promise<Record<K, RateLimiterAbstract>>;
  close(): Promise<void>;
}

/** Calls back when the limiter's table exists (the library creates it in its constructor). */
function ready<T>(make: (cb: (error?: Error) => void) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const limiter = make((error) => {
      if (error) reject(error);
      else resolve(limiter);
    });
  });
}

function openStore(store: SharedLimitStore): {
  make(spec: LimiterSpec, insurance: RateLimiterMemory): Promise<RateLimiterAbstract>;
  close(): Promise<void>;
} {
  const common = { tableName: RATE_LIMIT_TABLE, clearExpiredByTimeout: true };
  if (store.target.provider === "postgresql") {
    const pool = new pg.Pool({ connectionString: store.target.url, max: 4 });
    pool.on("error", logPoolErrors(store.logger));
    return {
      make: (spec, insurance) =>
        ready(
          (cb) =>
            new RateLimiterPostgres(
              { ...common, ...spec, storeClient: pool, storeType: "pool", insuranceLimiter: insurance },
              cb,
            ),
        ),
      close: () => pool.end(),
    };
  }
  const db = new Database(rateLimitFile(store.target.url), { timeout: 1000 });
  // counts, not records: losing the last writes in a power cut costs nothing
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  return {
    make: (spec, insurance) =>
      ready(
        (cb) =>
          new RateLimiterSQLite(
            { ...common, ...spec, storeClient: db, storeType: "better-sqlite3", insuranceLimiter: insurance },
            cb,
          ),
      ),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** Attempts at setting up a shared limiter before counting per process. */
const SETUP_ATTEMPTS = 4;

/**
 * Sets up one shared limiter, again after a failure: processes starting together on a fresh
 * PostgreSQL database race to create the table, and the losers' `CREATE TABLE IF NOT EXISTS`
 * fails (42710/23505: the type or the row in pg_type exists already); taken as final, that left
 * the sidecar or the web app counting on its own, so gRPC and REST had separate budgets again.
 */
async function makeWithRetry(
  make: () => Promise<RateLimiterAbstract>,
  attempts = SETUP_ATTEMPTS,
): Promise<RateLimiterAbstract> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await make();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 50));
    }
  }
}

/**
 * Limiters counted in memory, or with `shared` in the shared store. A store that cannot answer a
 * call hands it to a per-process limiter (insurance), and one that cannot be set up at all is
 * replaced by them: limits still hold per process, rather than refusing or waving calls through.
 */
export function createLimiters<K extends string>(
  specs: Record<K, LimiterSpec>,
  shared?: SharedLimitStore,
): Limiters<K> {
  const names = Object.keys(specs) as K[];
  const local = Object.fromEntries(names.map((name) => [name, new RateLimiterMemory(specs[name])])) as Record<
    K,
    RateLimiterMemory
  >;
  if (!shared) return { get: Promise.resolve(local), close: () => Promise.resolve() };
  const store = openStore(shared);
  const get = Promise.all(
    names.map((name) => makeWithRetry(() => store.make(specs[name], local[name]))),
  ).then(
    (limiters) =>
      Object.fromEntries(names.map((name, i) => [name, limiters[i]])) as Record<K, RateLimiterAbstract>,
    (error: unknown) => {
      shared.logger.error({ err: error }, "cannot use the shared rate-limit store; counting per process");
      return local;
    },
  );
  return { get, close: () => store.close() };
}
