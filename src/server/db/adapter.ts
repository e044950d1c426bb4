import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DbTarget } from "./provider.ts";

/** How long a SQLite writer waits for the lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function createAdapter(
  target: DbTarget,
  options: { poolSize?: number; onPoolError?: (error: Error) => void } = {},
): SqlMigrationAwareDriverAdapterFactory {
  if (target.provider === "postgresql") {
    return new PrismaPg(
      { connectionString: target.url, max: options.poolSize ?? 10 },
      options.onPoolError ? { onPoolError: options.onPoolError } : undefined,
    );
  }
  mkdirSync(dirname(target.url), { recursive: true });
  return new PrismaBetterSqlite3({ url: target.url, timeout: SQLITE_BUSY_TIMEOUT_MS });
}
