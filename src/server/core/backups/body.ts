// Reading a backup file: the header, then the body's records in order, after the chunks
// authenticate. Shared by restore (twice: check, then write) and by `backup verify`.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import {
  BackupFormatError,
  BackupOpener,
  HEADER_READ_LIMIT,
  parseHeader,
  type BackupHeader,
} from "./backup-file.ts";
import { decodeValue, type BackupColumnValue, type EncodedValue } from "./rows.ts";
import { rowsPerInsert } from "./tables.ts";

export type Columns = { name: string; type: string }[];

export async function readBackupHeader(path: string): Promise<{ header: BackupHeader; line: Buffer }> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min(HEADER_READ_LIMIT, (await file.stat()).size));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return parseHeader(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

export type BodyRecord =
  { kind: "table"; table: string } | { kind: "row"; values: EncodedValue[] } | { kind: "end" };

async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of source) {
    const parts = (rest + decoder.write(chunk)).split("\n");
    rest = parts.pop() ?? "";
    yield* parts;
  }
  rest += decoder.end();
  if (rest !== "") yield rest;
}

function parseRecord(line: string): BodyRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupFormatError("the backup body is damaged (a line is not JSON)");
  }
  if (Array.isArray(value)) return { kind: "row", values: value as EncodedValue[] };
  if (typeof value === "object" && value !== null) {
    const record = value as { table?: unknown; end?: unknown };
    if (typeof record.table === "string") return { kind: "table", table: record.table };
    if (record.end === true) return { kind: "end" };
  }
  throw new BackupFormatError("the backup body is damaged (an unknown record)");
}

/**
 * Decrypts, decompresses and parses the body, handing each record to `onRecord` in order. Throws
 * BackupFormatError when a chunk does not authenticate, the file is truncated or the body does
 * not end with its end record.
 */
export async function readBackupBody(
  path: string,
  header: { header: BackupHeader; line: Buffer },
  key: Buffer,
  onRecord: (record: BodyRecord) => Promise<void> | void,
): Promise<void> {
  const state = { ended: false };
  await pipeline(
    createReadStream(path, { start: header.line.length, highWaterMark: 256 * 1024 }),
    new BackupOpener(key, header.header, header.line),
    createGunzip(),
    async (source: AsyncIterable<Buffer>) => {
      for await (const line of lines(source)) {
        if (state.ended) throw new BackupFormatError("the backup body goes on after its end");
        if (line === "") continue;
        const record = parseRecord(line);
        if (record.kind === "end") state.ended = true;
        await onRecord(record);
      }
    },
  ).catch((error: unknown) => {
    if (error instanceof BackupFormatError) throw error;
    // zlib errors after authenticated chunks cannot come from tampering; still, say what failed
    if ((error as { code?: string }).code?.startsWith("Z_"))
      throw new BackupFormatError("the backup body does not decompress");
    throw error;
  });
  if (!state.ended) throw new BackupFormatError("the backup body is incomplete");
}

/**
 * Walks the body (authenticating every chunk), decodes every row with its column types, and hands
 * the rows of each table to `onRows` in batches (as many as one INSERT takes, at most
 * `batchSize`); checks each table's count against the header. Returns the counts.
 */
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

export async function readBackupRows(
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
