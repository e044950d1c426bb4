import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DbTarget } from "./provider.ts";

/**
 * How long a SQLite writer waits for the lock before SQLITE_BUSY (answered UNAVAILABLE). Within
 * one process the adapter queues transactions itself (Prisma's maxWait bounds that); this is the
 * wait on another process (the web app and the sidecar share the file), and better-sqlite3 waits
 * synchronously, so it stays short.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
/**
 * How long a query waits for a PostgreSQL connection from a pool (adapter-pg's and the fast
 * reads') before "timeout exceeded when trying to connect" (answered UNAVAILABLE). pg's default
 * is to wait forever; this stays below the sidecar's 15 s limit per call, so a burst that cannot
 * be served in time gets UNAVAILABLE with RetryInfo rather than DEADLINE_EXCEEDED.
 */
export const POOL_CONNECT_TIMEOUT_MS = 12_000;

/**
 * SQLite's limit of bound parameters in one statement: SQLITE_MAX_VARIABLE_NUMBER, 32766 since
 * SQLite 3.32 (better-sqlite3 bundles a newer SQLite). Prisma assumes the old 999 unless the
 * adapter says otherwise and refuses a query with more (P2029, an answer 500): a search's 10 000
 * matching ids, the licenses of a name search's 1000 customers.
 */
export const SQLITE_MAX_BIND_VALUES = 32_766;

/** The better-sqlite3 adapter, telling Prisma SQLite's real parameter limit. */
class SqliteAdapterFactory extends PrismaBetterSqlite3 {
  override async connect(): ReturnType<PrismaBetterSqlite3["connect"]> {
    const adapter = await super.connect();
    return Object.assign(adapter, {
      getConnectionInfo: () => ({ maxBindValues: SQLITE_MAX_BIND_VALUES, supportsRelationJoins: false }),
    });
  }
}

export function createAdapter(
  target: DbTarget,
  options: {
    poolSize?: number;
    onPoolError?: (error: Error) => void;
    connectTimeoutMs?: number;
    busyTimeoutMs?: number;
  } = {},
): SqlMigrationAwareDriverAdapterFactory {
  if (target.provider === "postgresql") {
    return new PrismaPg(
      {
        connectionString: target.url,
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: options.connectTimeoutMs ?? POOL_CONNECT_TIMEOUT_MS,
      },
      options.onPoolError ? { onPoolError: options.onPoolError } : undefined,
    );
  }
  // a missing directory is made private (0700); the launcher also tightens the data directory
  mkdirSync(dirname(target.url), { recursive: true, mode: 0o700 });
  return new SqliteAdapterFactory({
    url: target.url,
    timeout: options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS,
  });
}
