// A consistent snapshot of every table into one encrypted, database-independent file. The reads
// run in one transaction: REPEATABLE READ on PostgreSQL, and on SQLite (WAL) a read transaction,
// which sees one snapshot and does not block writers. Open a connection of its own for a backup
// inside a serving process, so that the snapshot does not hold up the licensing calls.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { z } from "zod";
import type { Tx } from "../../db/client.ts";
import { APP_VERSION } from "../../version.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupSealer,
  encryptionKeyId,
  newSealingParameters,
  type BackupHeader,
  type BackupTableInfo,
} from "./backup-file.ts";
import { appliedMigrations, requireOperator } from "./operator.ts";
import { encodeValue } from "./rows.ts";
import { BACKUP_TABLES, delegate, scalarColumns, type BackupTable } from "./tables.ts";

export const ZCreateBackupInput = z.object({
  /** the file to write; an existing file is never replaced */
  path: z.string().min(1),
  /** rows read per query */
  batchSize: z.number().int().min(100).max(50_000).default(5000),
});
export type TCreateBackupInput = z.input<typeof ZCreateBackupInput>;

export interface BackupProgress {
  table: string;
  /** rows of all tables written so far, and in all */
  rows: number;
  totalRows: number;
}

export interface BackupOptions {
  /** the 32-byte backup key (BACKUP_KEY, else ENCRYPTION_KEY) */
  key: Buffer;
  onProgress?: (progress: BackupProgress) => void;
}

export interface BackupResult {
  path: string;
  bytes: number;
  /** SHA-256 of the whole file, for the operator's records */
  sha256: string;
  createdAt: Date;
  tables: Record<string, number>;
  rows: number;
  durationMs: number;
}

/** Reads a table in key order, a batch at a time (keyset paging on one-column keys). */
async function* readTable(tx: Tx, table: BackupTable, columns: string[], batchSize: number) {
  const rows = delegate(tx, table.model);
  const select = Object.fromEntries(columns.map((c) => [c, true]));
  const orderBy = table.key.map((k) => ({ [k]: "asc" }));
  const [single] = table.key;
  let last: unknown;
  let skip = 0;
  for (;;) {
    const batch =
      table.key.length === 1 && single
        ? await rows.findMany({
            select,
            orderBy,
            take: batchSize,
            ...(last === undefined ? {} : { where: { [single]: { gt: last } } }),
          })
        : await rows.findMany({ select, orderBy, take: batchSize, skip });
    if (batch.length === 0) return;
    yield batch;
    skip += batch.length;
    if (single) last = batch[batch.length - 1]?.[single];
    if (batch.length < batchSize) return;
  }
}

/** Counts written bytes and hashes them on the way to the file. */
class Digest extends Transform {
  readonly hash = createHash("sha256");
  bytes = 0;
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * PostgreSQL: REPEATABLE READ gives every read one snapshot; SQLite's read transaction is one
 * anyway. (The Db type is the SQLite client's, which only names Serializable.)
 */
function snapshotIsolation(provider: DomainContext["provider"]) {
  return (provider === "postgresql" ? { isolationLevel: "RepeatableRead" } : {}) as {
    isolationLevel?: "Serializable";
  };
}

export async function createBackup(
  ctx: DomainContext,
  input: TCreateBackupInput,
  options: BackupOptions,
): Promise<BackupResult> {
  requireOperator(ctx);
  const { batchSize, ...parsed } = parseInput(ZCreateBackupInput, input);
  const path = resolve(parsed.path);
  if (existsSync(path)) throw failedPrecondition(`${path} exists; a backup never replaces a file`);
  // private like the data directory (the backups are encrypted, and still nobody else's)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.partial-${randomBytes(4).toString("hex")}`;
  const started = performance.now();
  const createdAt = ctx.clock.now();
  const digest = new Digest();
  const counts: Record<string, number> = {};

  try {
    await ctx.db.$transaction(
      async (tx) => {
        // the snapshot starts with the first read: everything below sees the same data
        const migrations = await appliedMigrations(tx);
        const tables: BackupTableInfo[] = [];
        for (const table of BACKUP_TABLES) {
          tables.push({
            name: table.model,
            columns: scalarColumns(ctx.db, table.model),
            rows: await delegate(tx, table.model).count(),
          });
        }
        const totalRows = tables.reduce((sum, t) => sum + t.rows, 0);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_FORMAT_VERSION,
          createdAt: createdAt.toISOString(),
          appVersion: APP_VERSION,
          sourceProvider: ctx.provider,
          migrations,
          tables,
          encryptionKeyId: encryptionKeyId(ctx.encryptionKey),
          ...newSealingParameters(options.key),
        };

        let written = 0;
        async function* body() {
          for (const [index, table] of BACKUP_TABLES.entries()) {
            const columns = tables[index]?.columns.map((c) => c.name) ?? [];
            yield Buffer.from(JSON.stringify({ table: table.model }) + "\n");
            let count = 0;
            for await (const batch of readTable(tx, table, columns, batchSize)) {
              let text = "";
              for (const row of batch) text += JSON.stringify(columns.map((c) => encodeValue(row[c]))) + "\n";
              yield Buffer.from(text);
              count += batch.length;
              written += batch.length;
              options.onProgress?.({ table: table.model, rows: written, totalRows });
            }
            counts[table.model] = count;
          }
          yield Buffer.from(JSON.stringify({ end: true }) + "\n");
        }

        await pipeline(
          body(),
          createGzip({ level: 6 }),
          new BackupSealer(options.key, header),
          digest,
          createWriteStream(partial, { flags: "wx", mode: 0o600 }),
        );
      },
      {
        ...snapshotIsolation(ctx.provider),
        maxWait: 60_000,
        timeout: 6 * 3_600_000,
      },
    );
    if (existsSync(path)) throw failedPrecondition(`${path} appeared meanwhile; the backup is not written`);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  ctx.logger.info({ path, bytes: digest.bytes, rows }, "backup written");
  return {
    path,
    bytes: statSync(path).size,
    sha256: digest.hash.digest("hex"),
    createdAt,
    tables: counts,
    rows,
    durationMs: Math.round(performance.now() - started),
  };
}
