import { z } from "zod";
import { requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { auditHash, auditRecordSelect, GENESIS_HASH } from "./write-audit-event.ts";

export const ZVerifyAuditChainInput = z.object({
  /** records read per query */
  batchSize: z.number().int().min(10).max(10_000).default(1000),
});
export type TVerifyAuditChainInput = z.input<typeof ZVerifyAuditChainInput>;

export type AuditChainReport =
  | { ok: true; checked: number; lastSeq: number }
  | {
      ok: false;
      checked: number;
      /** the first record whose link is broken */
      brokenAt: number;
      reason: "gap" | "previous-hash-mismatch" | "hash-mismatch";
    };

/**
 * Walks the whole chain in order and reports the first broken link: a missing record (gap), a
 * record not pointing at its predecessor's hash, or a record whose content no longer matches its
 * own hash (edited after the fact).
 */
export async function verifyAuditChain(
  ctx: DomainContext,
  input: TVerifyAuditChainInput = {},
): Promise<AuditChainReport> {
  requirePermission(ctx.actor, "audit.verify");
  const { batchSize } = parseInput(ZVerifyAuditChainInput, input);
  let expectedSeq = 1;
  let previousHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rows = await ctx.db.auditEvent.findMany({
      where: { seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: batchSize,
      select: auditRecordSelect,
    });
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, checked, brokenAt: expectedSeq, reason: "gap" };
      if (row.prevHash !== previousHash)
        return { ok: false, checked, brokenAt: row.seq, reason: "previous-hash-mismatch" };
      if (auditHash(row) !== row.hash)
        return { ok: false, checked, brokenAt: row.seq, reason: "hash-mismatch" };
      previousHash = row.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < batchSize) return { ok: true, checked, lastSeq: expectedSeq - 1 };
  }
}
