// Restores a backup into an empty, migrated database of either provider. Nothing is written
// unless the whole file authenticates and parses first (a wrong key, a changed byte or a
// truncated file writes nothing); then every row goes in within one transaction, keeping ids,
// times and the audit chain's sequence exactly, so the chain verifies afterwards.
import { resolve } from "node:path";
import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { DomainError, failedPrecondition, invalidArgument } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  BackupFormatError,
  BackupKeyError,
  checkBackupKey,
  encryptionKeyId,
  type BackupHeader,
} from "./backup-file.ts";
import { readBackupHeader, readBackupRows, type Columns } from "./body.ts";
import { appliedMigrations, requireOperator } from "./operator.ts";
import { BACKUP_TABLES, delegate, insertRows, scalarColumns } from "./tables.ts";

export const ZRestoreBackupInput = z.object({
  path: z.string().min(1),
  /** rows per insert statement */
  batchSize: z.number().int().min(1).max(5000).default(1000),
  /**
   * Restore although the target server's ENCRYPTION_KEY is not the one the backup's server had:
   * its signing keys and TOTP secrets then do not decrypt (rotate the signing key, re-enroll 2FA).
   */
  allowOtherEncryptionKey: z.boolean().default(false),
});
export type TRestoreBackupInput = z.input<typeof ZRestoreBackupInput>;

export interface RestoreProgress {
  phase: "verify" | "write";
  table: string;
  rows: number;
  totalRows: number;
}

export interface RestoreResult {
  header: BackupHeader;
  tables: Record<string, number>;
  rows: number;
  durationMs: number;
}

/**
 * Rethrows what reading a backup failed with as the DomainError the CLI and transports show: a
 * wrong key (FAILED_PRECONDITION), a damaged file or a missing one (INVALID_ARGUMENT).
 */
export function backupFailure(error: unknown, path: string): never {
  if (error instanceof DomainError) throw error;
  if (error instanceof BackupKeyError) throw failedPrecondition(error.message);
  if (error instanceof BackupFormatError) throw invalidArgument(error.message);
  if ((error as NodeJS.ErrnoException).code === "ENOENT") throw invalidArgument(`${path} does not exist`);
  throw error;
}

/** Checks that this server can take the backup's tables and columns as they are. */
function checkCompatible(
  ctx: DomainContext,
  header: BackupHeader,
  targetMigrations: string[],
): Map<string, Columns> {
  const unknown = header.migrations.filter((m) => !targetMigrations.includes(m));
  if (unknown.length > 0)
    throw failedPrecondition(
      `the backup was made by a newer server (migrations ${unknown.join(", ")} are unknown here); restore it with that version`,
    );
  const columnsByTable = new Map<string, Columns>();
  const known = new Set(BACKUP_TABLES.map((t) => t.model));
  for (const table of header.tables) {
    if (!known.has(table.name))
      throw failedPrecondition(`the backup has a table this server does not know: ${table.name}`);
    const here = new Map(scalarColumns(ctx.db, table.name).map((c) => [c.name, c.type]));
    for (const column of table.columns) {
      const type = here.get(column.name);
      if (type === undefined)
        throw failedPrecondition(
          `the backup's ${table.name}.${column.name} has no column here; restore it with the version that made it`,
        );
      if (type !== column.type)
        throw failedPrecondition(`the backup's ${table.name}.${column.name} is ${column.type}, here ${type}`);
    }
    columnsByTable.set(table.name, table.columns);
  }
  return columnsByTable;
}

/** "3 License"-style counts of the tables that hold rows (empty when the database is empty). */
export async function occupiedTables(db: DomainContext["db"]): Promise<string[]> {
  const occupied: string[] = [];
  for (const table of BACKUP_TABLES) {
    const count = await delegate(db, table.model).count();
    if (count > 0) occupied.push(`${count} ${table.model}`);
  }
  return occupied;
}

export async function restoreBackup(
  ctx: DomainContext,
  input: TRestoreBackupInput,
  options: { key: Buffer; onProgress?: (progress: RestoreProgress) => void },
): Promise<RestoreResult> {
  requireOperator(ctx);
  const parsed = parseInput(ZRestoreBackupInput, input);
  const path = resolve(parsed.path);
  const started = performance.now();
  try {
    const head = await readBackupHeader(path);
    const { header } = head;
    checkBackupKey(header, options.key);
    if (!parsed.allowOtherEncryptionKey && header.encryptionKeyId !== encryptionKeyId(ctx.encryptionKey))
      throw failedPrecondition(
        "this server's ENCRYPTION_KEY is not the one the backup's server had: its signing keys and TOTP secrets would not decrypt. " +
          "Configure the same ENCRYPTION_KEY, or restore anyway (then rotate the signing key and re-enroll two-factor sign-in)",
      );
    const columnsByTable = checkCompatible(ctx, header, await appliedMigrations(ctx.db));
    const totalRows = header.tables.reduce((sum, t) => sum + t.rows, 0);

    // 1. the whole file, checked without writing
    await readBackupRows(
      path,
      head,
      options.key,
      columnsByTable,
      parsed.batchSize,
      async () => {},
      (table, rows) => options.onProgress?.({ phase: "verify", table, rows, totalRows }),
    );

    // 2. an empty target only: a restore never merges into live data
    const occupied = await occupiedTables(ctx.db);
    if (occupied.length > 0)
      throw failedPrecondition(
        `the database is not empty (${occupied.join(", ")}); restore into a new, empty database`,
      );

    // 3. everything in one transaction: all rows or none
    let counts: Record<string, number> = {};
    await ctx.db.$transaction(
      async (tx) => {
        if (ctx.provider === "sqlite")
          await tx.$executeRawUnsafe(`UPDATE "Setting" SET "key" = "key" WHERE 0`);
        counts = await readBackupRows(
          path,
          head,
          options.key,
          columnsByTable,
          parsed.batchSize,
          async (table, rows) => {
            const columns = (columnsByTable.get(table) ?? []).map((c) => c.name);
            await insertRows(tx, ctx.provider, table, columns, rows);
          },
          (table, rows) => options.onProgress?.({ phase: "write", table, rows, totalRows }),
        );
      },
      { maxWait: 60_000, timeout: 6 * 3_600_000 },
    );
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    ctx.logger.info({ path, rows, from: header.sourceProvider, to: ctx.provider }, "backup restored");
    return { header, tables: counts, rows, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    backupFailure(error, path);
  }
}
