import { isAbsolute, resolve } from "node:path";

export type DbProvider = "sqlite" | "postgresql";

export interface DbTarget {
  provider: DbProvider;
  /** PostgreSQL connection string, or the absolute path of the SQLite file */
  url: string;
}

/**
 * Reads DATABASE_URL: `postgres://` / `postgresql://` select PostgreSQL; `file:<path>` (or a bare
 * path) selects SQLite, relative paths being taken from the working directory.
 */
export function parseDatabaseUrl(databaseUrl: string): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    return { provider: "postgresql", url: databaseUrl };
  }
  const path = databaseUrl.replace(/^file:(\/\/)?/i, "");
  if (path === "" || path.includes("?") || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(
      `DATABASE_URL "${databaseUrl}" is neither postgres://... nor a SQLite file path (file:./data/license.db)`,
    );
  }
  return { provider: "sqlite", url: isAbsolute(path) ? path : resolve(path) };
}

/** A URL safe to print: the password is replaced. */
export function redactDatabaseUrl(databaseUrl: string): string {
  return databaseUrl.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
