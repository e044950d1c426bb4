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
import { readBackupBody, readBackupHeader } from "./body.ts";
import { appliedMigrations, requireOperator } from "./operator.ts";
import { decodeValue, type BackupColumnValue } from "./rows.ts";
import { BACKUP_TABLES, delegate, insertRows, rowsPerInsert, scalarColumns } from "./tables.ts";

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

type Columns = { name: string; type: string }[];

/** Wrong keys and damaged files come out as DomainErrors the transports and the CLI can show. */
export function backupError(error: unknown): unknown {
  if (error instanceof BackupKeyError) return failedPrecondition(error.message);
  if (error instanceof BackupFormatError) return invalidArgument(error.message);
  return error;
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

function decodeRow(columns: Columns, values: unknown[], table: string): Record<string, BackupColumnValue> {
  if (values.length !== columns.length)
    throw new BackupFormatError(`a ${table} row has ${values.length} values, not ${columns.length}`);
  const row: Record<string, BackupColumnValue> = {};
  columns.forEach((column, i) => {
    try {
      row[column.name] = decodeValue(values[i] as never, column.type);
    } catch (error) {
      throw new BackupFormatError(`${table}.${column.name}: ${(error as Error).message}`);
    }
  });
  return row;
}

/**
 * Walks the body (authenticating every chunk) and hands decoded rows of each table to `onRows`
 * in batches; checks each table's count against the header.
 */
async function walk(
  path: string,
  head: { header: BackupHeader; line: Buffer },
  key: Buffer,
  columnsByTable: Map<string, Columns>,
  batchSize: number,
  onRows: (table: string, rows: Record<string, BackupColumnValue>[]) => Promise<void>,
  onProgress: (table: string, rows: number) => void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let table: string | null = null;
  let batch: Record<string, BackupColumnValue>[] = [];
  let total = 0;
  const flush = async () => {
    if (table && batch.length > 0) {
      const rows = batch;
      batch = [];
      await onRows(table, rows);
      onProgress(table, total);
    }
  };
  await readBackupBody(path, head, key, async (record) => {
    if (record.kind === "table") {
      await flush();
      if (!columnsByTable.has(record.table) || record.table in counts)
        throw new BackupFormatError(`the backup body names table ${record.table} out of place`);
      table = record.table;
      counts[table] = 0;
    } else if (record.kind === "row") {
      const columns = table ? columnsByTable.get(table) : undefined;
      if (!table || !columns) throw new BackupFormatError("the backup body has a row before its table");
      batch.push(decodeRow(columns, record.values, table));
      counts[table] = (counts[table] ?? 0) + 1;
      total++;
      if (batch.length >= rowsPerInsert(columns.length, batchSize)) await flush();
    } else {
      await flush();
    }
  });
  for (const info of head.header.tables) {
    if ((counts[info.name] ?? 0) !== info.rows)
      throw new BackupFormatError(
        `the backup body has ${counts[info.name] ?? 0} ${info.name} rows, its header ${info.rows}`,
      );
  }
  return counts;
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
    await walk(
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
        counts = await walk(
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
    const mapped = backupError(error);
    if (mapped instanceof DomainError) throw mapped;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw invalidArgument(`${path} does not exist`);
    throw error;
  }
}
