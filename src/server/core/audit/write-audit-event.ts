// Appends one record to the tamper-evident audit chain, inside the caller's transaction.
import { createHash } from "node:crypto";
import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import type { Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { Actor } from "../context.ts";

export const GENESIS_HASH = "0".repeat(64);
/** Any constant: the key of the PostgreSQL advisory lock that serializes appends to the chain. */
const AUDIT_CHAIN_LOCK = 7_245_001;

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  summary: Record<string, unknown>;
}

/** Every field of a stored audit record (what the hash covers, plus the hash). */
export const auditRecordSelect = {
  id: true,
  seq: true,
  at: true,
  actorType: true,
  actorId: true,
  actorLabel: true,
  action: true,
  targetType: true,
  targetId: true,
  ip: true,
  summary: true,
  prevHash: true,
  hash: true,
} satisfies Prisma.AuditEventSelect;

export interface AuditRecordFields {
  seq: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  summary: string;
  prevHash: string;
}

/** The hash of a record: SHA-256 over its fields and the previous record's hash. */
export function auditHash(record: AuditRecordFields): string {
  const canonical = JSON.stringify([
    record.seq,
    record.prevHash,
    record.at.toISOString(),
    record.actorType,
    record.actorId,
    record.actorLabel,
    record.action,
    record.targetType,
    record.targetId,
    record.ip,
    record.summary,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

export async function writeAuditEvent(
  tx: Tx,
  scope: { provider: DbProvider; actor: Actor; ip?: string | null; now: Date },
  entry: AuditEntry,
): Promise<void> {
  // SQLite runs one write transaction at a time; PostgreSQL needs the lock so two transactions
  // cannot both extend the same last record.
  if (scope.provider === "postgresql") {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  }
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const fields: AuditRecordFields = {
    seq: (last?.seq ?? 0) + 1,
    at: scope.now,
    actorType: scope.actor.type,
    actorId: scope.actor.id,
    actorLabel: scope.actor.label,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    ip: scope.ip ?? null,
    summary: JSON.stringify(entry.summary),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.auditEvent.create({ data: { ...fields, hash: auditHash(fields) }, select: { id: true } });
}
