// The data directory and the SQLite files are the server's alone: the directory 0700, the
// database and its -wal, -shm and -journal files 0600. SQLite gives the files it creates beside
// the database the database file's own mode, so a database file created 0600 before SQLite first
// opens it keeps all of them private; files left looser by an older version (or created by
// another tool) are tightened on every start.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import type { DbTarget } from "./provider.ts";

export const DATA_DIR_MODE = 0o700;
export const DATABASE_FILE_MODE = 0o600;
export const SQLITE_COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"] as const;

/** Creates the directory 0700 (with its missing parents) or tightens it to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dir, DATA_DIR_MODE);
}

/** For SQLite: the database file exists 0600, and so does each companion file there is. */
export function protectDatabaseFiles(target: DbTarget): void {
  if (target.provider !== "sqlite") return;
  const file = target.url;
  if (!existsSync(file)) closeSync(openSync(file, "a", DATABASE_FILE_MODE));
  chmodSync(file, DATABASE_FILE_MODE);
  for (const suffix of SQLITE_COMPANION_SUFFIXES) {
    if (existsSync(file + suffix)) chmodSync(file + suffix, DATABASE_FILE_MODE);
  }
}
