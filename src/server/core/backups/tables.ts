// What a backup holds: every table of the data model, in an order that satisfies the foreign keys
// (parents first), with each table's key for a stable read order. A test checks that this list
// names every model, so a new model cannot be left out of backups unnoticed.
import type { Db, Tx } from "../../db/client.ts";
import type { BackupColumnValue } from "./rows.ts";

export interface BackupTable {
  /** the Prisma model name */
  model: string;
  /** the primary key's fields, read in this order */
  key: readonly string[];
}

export const BACKUP_TABLES: readonly BackupTable[] = [
  { model: "Group", key: ["id"] },
  { model: "Admin", key: ["id"] },
  { model: "AdminGroup", key: ["adminId", "groupId"] },
  { model: "WebSession", key: ["id"] },
  { model: "ApiKey", key: ["id"] },
  { model: "ApiKeyGroup", key: ["apiKeyId", "groupId"] },
  { model: "Product", key: ["id"] },
  { model: "Feature", key: ["id"] },
  { model: "Customer", key: ["id"] },
  { model: "Policy", key: ["id"] },
  { model: "PolicyEntitlement", key: ["id"] },
  { model: "Release", key: ["id"] },
  { model: "License", key: ["id"] },
  { model: "Trial", key: ["id"] },
  { model: "Entitlement", key: ["id"] },
  { model: "Session", key: ["id"] },
  { model: "MachineBinding", key: ["id"] },
  { model: "UsageRecord", key: ["id"] },
  { model: "AuditEvent", key: ["seq"] },
  { model: "AuditEventGroup", key: ["eventId", "groupId"] },
  { model: "SigningKey", key: ["id"] },
  { model: "OfflineIssuance", key: ["id"] },
  { model: "Setting", key: ["key"] },
  { model: "ActivityBucket", key: ["at"] },
  { model: "Event", key: ["seq"] },
  { model: "WebhookEndpoint", key: ["id"] },
  { model: "WebhookDelivery", key: ["id"] },
  { model: "WebhookAttempt", key: ["id"] },
  { model: "LicenseExpiryNotice", key: ["licenseId", "threshold", "expiresAt"] },
  { model: "LicenseActivityBucket", key: ["licenseId", "at"] },
];

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
}

/** The generated client's description of its models (both providers' clients carry the same). */
function runtimeModels(db: Db): Record<string, { fields: RuntimeField[] }> {
  const model = (
    db as unknown as { _runtimeDataModel?: { models: Record<string, { fields: RuntimeField[] }> } }
  )._runtimeDataModel;
  if (!model) throw new Error("the Prisma client does not describe its data model");
  return model.models;
}

export function modelNames(db: Db): string[] {
  return Object.keys(runtimeModels(db));
}

/** The scalar columns of a model, in the data model's order. */
export function scalarColumns(db: Db, model: string): { name: string; type: string }[] {
  const fields = runtimeModels(db)[model]?.fields;
  if (!fields) throw new Error(`the data model has no ${model}`);
  return fields
    .filter((f) => f.kind === "scalar" || f.kind === "enum")
    .map((f) => ({ name: f.name, type: f.type }));
}

type Row = Record<string, BackupColumnValue>;

/** SQLite takes at most 32,766 parameters per statement, PostgreSQL 65,535. */
const MAX_PARAMETERS = 30_000;

/** How many rows of `columns` columns one INSERT may carry. */
export const rowsPerInsert = (columns: number, wanted: number) =>
  Math.max(1, Math.min(wanted, Math.floor(MAX_PARAMETERS / Math.max(1, columns))));

/**
 * Inserts rows as they are (ids, times, sequence numbers kept) with one multi-row INSERT, through
 * the transaction's connection. Raw SQL because Prisma's createMany costs ~4x more per row here;
 * the values are bound as parameters, so each driver adapter stores them as Prisma would.
 */
export async function insertRows(
  tx: Tx,
  provider: "sqlite" | "postgresql",
  model: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const quoted = columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(", ");
  let n = 0;
  const placeholder = provider === "postgresql" ? () => `$${++n}` : () => "?";
  const tuples = rows.map(() => `(${columns.map(placeholder).join(", ")})`).join(", ");
  const values = rows.flatMap((row) => columns.map((c) => row[c] ?? null));
  await tx.$executeRawUnsafe(
    `INSERT INTO "${model.replaceAll('"', '""')}" (${quoted}) VALUES ${tuples}`,
    ...values,
  );
}

/** The model's delegate (`tx.license`) with the calls backups make, typed loosely on purpose. */
export interface TableDelegate {
  count(args?: object): Promise<number>;
  findMany(args: object): Promise<Row[]>;
}

export function delegate(db: Db | Tx, model: string): TableDelegate {
  const name = model.charAt(0).toLowerCase() + model.slice(1);
  const found = (db as unknown as Record<string, TableDelegate | undefined>)[name];
  if (!found) throw new Error(`the Prisma client has no ${name}`);
  return found;
}
