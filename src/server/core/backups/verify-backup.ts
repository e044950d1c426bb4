// Checks a backup file without a database: the key, every chunk, every row against its column
// types, and the row counts. What `admin backup verify` runs, e.g. on the copies off site.
import { resolve } from "node:path";
import { z } from "zod";
import { DomainError, invalidArgument } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { BackupFormatError, checkBackupKey, type BackupHeader } from "./backup-file.ts";
import { readBackupBody, readBackupHeader } from "./body.ts";
import { backupError } from "./restore-backup.ts";
import { decodeValue } from "./rows.ts";

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
    const mapped = backupError(error);
    if (mapped instanceof DomainError) throw mapped;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw invalidArgument(`${path} does not exist`);
    throw error;
  }
}

export async function verifyBackup(input: TVerifyBackupInput, key: Buffer): Promise<VerifyBackupResult> {
  const { path } = parseInput(ZVerifyBackupInput, input);
  try {
    const head = await readBackupHeader(resolve(path));
    checkBackupKey(head.header, key);
    const columns = new Map(head.header.tables.map((t) => [t.name, t.columns]));
    const counts: Record<string, number> = {};
    let current: string | null = null;
    await readBackupBody(resolve(path), head, key, (record) => {
      if (record.kind === "table") {
        if (!columns.has(record.table) || record.table in counts)
          throw new BackupFormatError(`the backup body names table ${record.table} out of place`);
        current = record.table;
        counts[current] = 0;
      } else if (record.kind === "row") {
        const cols = current ? columns.get(current) : undefined;
        if (!current || !cols || cols.length !== record.values.length)
          throw new BackupFormatError("the backup body has a malformed row");
        cols.forEach((c, i) => {
          try {
            decodeValue(record.values[i] ?? null, c.type);
          } catch (error) {
            throw new BackupFormatError(`${current ?? ""}.${c.name}: ${(error as Error).message}`);
          }
        });
        counts[current] = (counts[current] ?? 0) + 1;
      }
    });
    for (const info of head.header.tables) {
      if ((counts[info.name] ?? 0) !== info.rows)
        throw new BackupFormatError(
          `the backup body has ${counts[info.name] ?? 0} ${info.name} rows, its header ${info.rows}`,
        );
    }
    return { header: head.header, tables: counts, rows: Object.values(counts).reduce((a, b) => a + b, 0) };
  } catch (error) {
    const mapped = backupError(error);
    if (mapped instanceof DomainError) throw mapped;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw invalidArgument(`${path} does not exist`);
    throw error;
  }
}
