// The data directory and the SQLite files are the server's alone: the directory 0700, the
// database and its -wal, -shm and -journal files 0600. SQLite gives the files it creates beside
// the database the database file's own mode, so a database file created 0600 before SQLite first
// opens it keeps all of them private; files left looser by an older version (or created by
// another tool) are tightened on every start.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DbTarget } from "./provider.ts";

export const DATA_DIR_MODE = 0o700;
export const DATABASE_FILE_MODE = 0o600;
export const SQLITE_COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"] as const;

/** Creates the directory 0700 (with its missing parents) or tightens it to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  chmodSync(dir, DATA_DIR_MODE);
}

/** The server's own files in the data directory (secrets, the audit checkpoint). */
export const PRIVATE_DATA_FILES = ["secrets.json", "audit-head.json"] as const;

/**
 * Tightens what an earlier version or a careless copy left looser (found by attack: a loosened
 * secrets.json stayed 0666 across a restart): the data directory's own files 0600, the backup
 * directory 0700 and the backups in it 0600.
 */
export function protectDataFiles(dataDir: string, backupDir: string): void {
  for (const name of PRIVATE_DATA_FILES) {
    const file = join(dataDir, name);
    if (existsSync(file)) chmodSync(file, DATABASE_FILE_MODE);
  }
  if (!existsSync(backupDir)) return;
  chmodSync(backupDir, DATA_DIR_MODE);
  for (const name of readdirSync(backupDir)) {
    const file = join(backupDir, name);
    if (statSync(file).isFile()) chmodSync(file, DATABASE_FILE_MODE);
  }
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
