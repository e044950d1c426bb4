import type { PrismaClient as SqliteClient } from "../../generated/prisma-sqlite/client.ts";
import type { Prisma } from "../../generated/prisma-sqlite/client.ts";
import { createAdapter } from "./adapter.ts";
import { openFastReads, type FastReads } from "./fast-reads.ts";
import type { DbProvider, DbTarget } from "./provider.ts";
import type { Logger } from "../logger.ts";

/**
 * The database client the domain uses. Both generated clients are built from one data model, so
 * they share one API; the SQLite client's types stand for both.
 */
export type Db = SqliteClient;
/** What a `$transaction(async (tx) => ...)` callback receives. */
export type Tx = Prisma.TransactionClient;
/**
 * Prisma's model types (selects, where inputs, payloads) for the domain: import them from here,
 * never from a generated client (the SQLite client's types stand for both providers).
 */
export type { Prisma };

export interface DbHandle {
  db: Db;
  provider: DbProvider;
  /** where it is, for connections of other kinds (the shared rate-limit store) */
  target: DbTarget;
  /** the licensing API's hot reads in prepared SQL (see fast-reads.ts) */
  reads: FastReads;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  poolSize?: number;
  /**
   * Told when an idle PostgreSQL connection breaks (server restart, `pg_terminate_backend`): the
   * pool drops that connection and the next query opens a new one, so this is for logging only.
   */
  onPoolError?: (error: Error) => void;
  /** how long a query waits for a pooled PostgreSQL connection (default POOL_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs?: number;
  /** how long a SQLite writer waits for another process's write lock (default SQLITE_BUSY_TIMEOUT_MS) */
  busyTimeoutMs?: number;
}

/** An `onPoolError` that logs the broken connection as a warning. */
export function logPoolErrors(logger: Logger): (error: Error) => void {
  return (error) => {
    logger.warn({ err: error }, "an idle database connection broke; the pool replaces it");
  };
}

export async function openDatabase(target: DbTarget, options: OpenDatabaseOptions = {}): Promise<DbHandle> {
  const adapter = createAdapter(target, options);
  let db: Db;
  if (target.provider === "postgresql") {
    const { PrismaClient } = await import("../../generated/prisma-postgresql/client.ts");
    db = new PrismaClient({ adapter }) as unknown as Db;
  } else {
    const { PrismaClient } = await import("../../generated/prisma-sqlite/client.ts");
    db = new PrismaClient({ adapter });
    // WAL lets readers work beside the writer; foreign keys are off by default in SQLite.
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
    await db.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  }
  const reads = openFastReads(target, options);
  return {
    db,
    provider: target.provider,
    target,
    reads,
    close: async () => {
      await reads.close();
      await db.$disconnect();
    },
  };
}
