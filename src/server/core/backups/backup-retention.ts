// Scheduled backups' file names (they sort by time) and retention (the newest N kept), shared by
// the schedule (src/server/jobs/scheduled-backups.ts) and the admin CLI's backup command.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BACKUP_EXTENSION } from "./backup-file.ts";

const FILE_PATTERN = new RegExp(`^backup-\\d{8}T\\d{6}Z${BACKUP_EXTENSION.replace(".", "\\.")}$`);

/** `backup-20261129T020000Z.lsbackup`: names sort by time. */
export function backupFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `backup-${stamp}${BACKUP_EXTENSION}`;
}

/** Deletes all but the newest `keep` backups named by backupFileName in `dir`; returns what went. */
export function pruneBackups(dir: string, keep: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => FILE_PATTERN.test(name));
  } catch {
    return [];
  }
  names.sort();
  const doomed = names.slice(0, Math.max(0, names.length - keep));
  for (const name of doomed) rmSync(join(dir, name), { force: true });
  return doomed;
}
