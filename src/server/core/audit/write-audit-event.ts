// Appends one record to the tamper-evident audit chain, inside the caller's transaction.
import { createHash, createHmac, hkdfSync } from "node:crypto";
import type { Prisma } from "../../db/client.ts";
import type { Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { Actor } from "../context.ts";
import { auditGroupsOf } from "./audit-scope.ts";

export const GENESIS_HASH = "0".repeat(64);
/** Any constant: the key of the PostgreSQL advisory lock that serializes appends to the chain. */
export const AUDIT_CHAIN_LOCK = 7_245_001;
/** The hash version new records get: HMAC-SHA-256 keyed with a secret derived from ENCRYPTION_KEY. */
export const CURRENT_HASH_VERSION = 2;
const CHAIN_KEY_INFO = "license-server audit chain v1";

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  summary: Record<string, unknown>;
  /**
   * Groups the event is about besides those of its target as it is at the end of the change:
   * the target's groups before a move, or of a target deleted by the change. Added to the computed
   * ones. Catalogue-wide events (products, features, settings, signing keys) have none.
   */
  groupIds?: readonly string[];
}

/** Every field of a stored audit record (what the hash covers, plus the hash and its version). */
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
  hashVersion: true,
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

const chainKeys = new WeakMap<Buffer, Buffer>();

/**
 * The audit chain's HMAC key: HKDF-SHA-256 of the server's ENCRYPTION_KEY (info "license-server
 * audit chain v1"). Whoever can write the database but lacks ENCRYPTION_KEY cannot recompute a
 * version-2 hash.
 */
export function auditChainKey(encryptionKey: Buffer): Buffer {
  let key = chainKeys.get(encryptionKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), CHAIN_KEY_INFO, 32));
    chainKeys.set(encryptionKey, key);
  }
  return key;
}

function canonical(record: AuditRecordFields): string {
  return JSON.stringify([
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
}

/**
 * The hash of a record over its fields and the previous record's hash: version 1 (records written
 * before issue 13) SHA-256, version 2 HMAC-SHA-256 with `chainKey` (see auditChainKey). Null for
 * an unknown version.
 */
export function auditHash(record: AuditRecordFields, version: number, chainKey: Buffer): string | null {
  if (version === 1) return createHash("sha256").update(canonical(record)).digest("hex");
  if (version === 2)
    return createHmac("sha256", chainKey)
      .update(`v2:${canonical(record)}`)
      .digest("hex");
  return null;
}

/** Called after each append (before the transaction commits): the checkpointer's wake-up. */
export const auditWriteObservers = new Set<() => void>();

export interface AuditWriteScope {
  provider: DbProvider;
  actor: Actor;
  ip?: string | null;
  now: Date;
  /** the server's ENCRYPTION_KEY: the chain's HMAC key is derived from it */
  encryptionKey: Buffer;
}

export async function writeAuditEvent(tx: Tx, scope: AuditWriteScope, entry: AuditEntry): Promise<void> {
  // the groups first: the chain lock below is held until commit, so keep what runs under it short
  const groupIds = await auditGroupsOf(tx, entry);
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
  const hash = auditHash(fields, CURRENT_HASH_VERSION, auditChainKey(scope.encryptionKey));
  if (hash === null) throw new Error("unknown audit hash version");
  await tx.auditEvent.create({
    data: {
      ...fields,
      hash,
      hashVersion: CURRENT_HASH_VERSION,
      ...(groupIds.length > 0 ? { groups: { create: groupIds.map((groupId) => ({ groupId })) } } : {}),
    },
    select: { id: true },
  });
  for (const observer of auditWriteObservers) observer();
}
