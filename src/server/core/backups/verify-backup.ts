// Checks a backup file without a database: the key, every chunk, every row against its column
// types, and the row counts. What `npm run admin -- verify-backup` runs, e.g. on the copies off site.
import { resolve } from "node:path";
import { z } from "zod";
import { parseInput } from "../shared/parse-input.ts";
import { checkBackupKey, type BackupHeader } from "./backup-file.ts";
import { readBackupHeader, readBackupRows } from "./body.ts";
import { backupFailure } from "./restore-backup.ts";

export const ZVerifyBackupInput = z.object({ path: z.string().min(1) });
export type TVerifyBackupInput = z.input<typeof ZVerifyBackupInput>;

export interface VerifyBackupResult {
  header: BackupHeader;
  tables: Record<string, number>;
  rows: number;
}

/** Reads only the header (no key needed): when and where the backup was made, what it holds. */
export async function describeBackup(input: TVerifyBackupInput): Promise<BackupHeader> {
  const { path } = parseInput(ZVerifyBackupInput, input);
  try {
    return (await readBackupHeader(resolve(path))).header;
  } catch (error) {
    backupFailure(error, path);
  }
}

export async function verifyBackup(input: TVerifyBackupInput, key: Buffer): Promise<VerifyBackupResult> {
  const { path } = parseInput(ZVerifyBackupInput, input);
  try {
    const head = await readBackupHeader(resolve(path));
    checkBackupKey(head.header, key);
    const columns = new Map(head.header.tables.map((t) => [t.name, t.columns]));
    const counts = await readBackupRows(
      resolve(path),
      head,
      key,
      columns,
      5000,
      () => Promise.resolve(),
      () => {},
    );
    return { header: head.header, tables: counts, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
  } catch (error) {
    backupFailure(error, path);
  }
}
