// Walks the audit chain in order from a known point, checking each record's link and hash.
import type { Db } from "../../db/client.ts";
import { auditHash, auditRecordSelect, GENESIS_HASH } from "./write-audit-event.ts";

export type ChainBreak =
  /** a record is missing */
  | "gap"
  /** a record does not point at its predecessor's hash */
  | "previous-hash-mismatch"
  /** a record's content does not match its hash (edited, or recomputed without the key) */
  | "hash-mismatch"
  /** a SHA-256 (version 1) record after a keyed one: a keyed record was replaced by a recomputed one */
  | "version-downgrade";

export interface WalkStart {
  /** the first seq to check */
  seq: number;
  /** the hash the record at `seq` must point at */
  prevHash: string;
  /** whether a keyed (version 2) record came before `seq` */
  keyedBefore: boolean;
}

export const CHAIN_START: WalkStart = { seq: 1, prevHash: GENESIS_HASH, keyedBefore: false };

interface Counts {
  /** records whose link and hash verified */
  checked: number;
  keyedRecords: number;
  legacyRecords: number;
}

export type WalkResult =
  | (Counts & { ok: true; lastSeq: number; lastHash: string })
  | (Counts & { ok: false; brokenAt: number; reason: ChainBreak });

export async function walkAuditChain(
  db: Db,
  chainKey: Buffer,
  start: WalkStart,
  batchSize: number,
): Promise<WalkResult> {
  let expectedSeq = start.seq;
  let previousHash = start.prevHash;
  let keyed = start.keyedBefore;
  const counts: Counts = { checked: 0, keyedRecords: 0, legacyRecords: 0 };
  for (;;) {
    const rows = await db.auditEvent.findMany({
      where: { seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: batchSize,
      select: auditRecordSelect,
    });
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, ...counts, brokenAt: expectedSeq, reason: "gap" };
      if (row.prevHash !== previousHash)
        return { ok: false, ...counts, brokenAt: row.seq, reason: "previous-hash-mismatch" };
      if (row.hashVersion === 1 && keyed)
        return { ok: false, ...counts, brokenAt: row.seq, reason: "version-downgrade" };
      if (auditHash(row, row.hashVersion, chainKey) !== row.hash)
        return { ok: false, ...counts, brokenAt: row.seq, reason: "hash-mismatch" };
      if (row.hashVersion === 1) counts.legacyRecords++;
      else {
        keyed = true;
        counts.keyedRecords++;
      }
      previousHash = row.hash;
      expectedSeq++;
      counts.checked++;
    }
    if (rows.length < batchSize)
      return { ok: true, ...counts, lastSeq: expectedSeq - 1, lastHash: previousHash };
  }
}
