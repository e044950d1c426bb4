import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { forbidden } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { CHAIN_START, walkAuditChain, type ChainBreak } from "./chain-walk.ts";
import {
  checkpointAuditHead,
  checkpointSignatureError,
  readCheckpoint,
  type AuditAnchor,
  type AuditCheckpoint,
} from "./checkpoint.ts";
import { auditChainKey } from "./write-audit-event.ts";

export const ZVerifyAuditChainInput = z.object({
  /** records read per query */
  batchSize: z.number().int().min(10).max(10_000).default(1000),
});
export type TVerifyAuditChainInput = z.input<typeof ZVerifyAuditChainInput>;

export const AUDIT_CHAIN_BREAKS = [
  "gap",
  "previous-hash-mismatch",
  "hash-mismatch",
  "version-downgrade",
  /** fewer records than the checkpoint anchors: the newest were deleted */
  "truncated",
  /** the record at the checkpoint's seq carries another hash: the chain was rewritten up to it */
  "rewritten",
  /** the checkpoint is not signed by one of this server's keys */
  "checkpoint-signature",
  /** the checkpoint file exists but is not one */
  "checkpoint-unreadable",
] as const;
export type AuditChainBreak = (typeof AUDIT_CHAIN_BREAKS)[number];
// every break of the walk is one of the report's
const _walkBreaks: readonly AuditChainBreak[] = [] as ChainBreak[];

/** What a report says was checked, besides the chain itself. */
export interface AuditChainFacts {
  /** records whose link and hash verified */
  checked: number;
  /** of those, HMAC-SHA-256 (version 2) records */
  keyedRecords: number;
  /** of those, SHA-256 (version 1) records, written before the chain was keyed */
  legacyRecords: number;
  /** a signed checkpoint was read, its signature verified and the chain compared with it */
  anchored: boolean;
  /** the checkpoint compared with (null: none, or not readable) */
  checkpoint: { file: string; seq: number; hash: string; at: string; kid: string } | null;
  /** the seq a new checkpoint was written at after this verification (null: none written) */
  checkpointWrittenAt: number | null;
  /** what the verification could not cover, e.g. no checkpoint */
  warnings: string[];
}

export type AuditChainReport =
  | ({ ok: true; lastSeq: number } & AuditChainFacts)
  | ({
      ok: false;
      /** the first record found broken or missing (null: the checkpoint file itself) */
      brokenAt: number | null;
      reason: AuditChainBreak;
      detail: string;
    } & AuditChainFacts);

/** What an actor below super_admin learns: whether the whole chain verifies, nothing about its records. */
export interface AuditChainSummary {
  ok: boolean;
  anchored: boolean;
  summaryOnly: true;
}

const DETAILS: Record<ChainBreak, (seq: number) => string> = {
  gap: (seq) => `record #${seq} is missing`,
  "previous-hash-mismatch": (seq) => `record #${seq} does not point at its predecessor's hash`,
  "hash-mismatch": (seq) =>
    `record #${seq} does not match its hash (edited, or its hash recomputed without the server's key)`,
  "version-downgrade": (seq) =>
    `record #${seq} carries an unkeyed SHA-256 hash after keyed ones (replaced by a recomputed record)`,
};

/**
 * Walks the whole chain in order and reports the first broken link: a missing record (gap), a
 * record not pointing at its predecessor's hash, a record whose content no longer matches its
 * own hash (edited, or rewritten without the HMAC key), an unkeyed record after keyed ones. Then
 * compares the chain with the signed checkpoint of `anchor` (when given): fewer records than it
 * anchors is "truncated", another hash at its seq "rewritten". A chain that verifies moves the
 * checkpoint to its head.
 *
 * The whole chain's report is for super admins; below, the answer is only ok/broken (and whether
 * it was anchored), so that it says nothing about other groups' events.
 */
export async function verifyAuditChain(
  ctx: DomainContext,
  input: TVerifyAuditChainInput = {},
  anchor?: AuditAnchor,
): Promise<AuditChainReport | AuditChainSummary> {
  requirePermission(ctx.actor, "audit.verify");
  const report = await chainReport(ctx, input, anchor);
  if (ctx.actor.role === "super_admin") return report;
  return { ok: report.ok, anchored: report.anchored, summaryOnly: true };
}

/** The full report (the operator's CLI, super admins); refused below super_admin. */
export async function verifyWholeAuditChain(
  ctx: DomainContext,
  input: TVerifyAuditChainInput = {},
  anchor?: AuditAnchor,
): Promise<AuditChainReport> {
  requirePermission(ctx.actor, "audit.verify");
  if (ctx.actor.role !== "super_admin") throw forbidden("the whole audit chain's report is for super admins");
  return chainReport(ctx, input, anchor);
}

async function chainReport(
  ctx: DomainContext,
  input: TVerifyAuditChainInput,
  anchor: AuditAnchor | undefined,
): Promise<AuditChainReport> {
  const { batchSize } = parseInput(ZVerifyAuditChainInput, input);
  const warnings: string[] = [];

  // the checkpoint first: read before the walk, it cannot be ahead of records written meanwhile
  let checkpoint: AuditCheckpoint | null = null;
  let checkpointProblem: { reason: AuditChainBreak; brokenAt: number | null; detail: string } | null = null;
  if (!anchor) {
    warnings.push(
      "no checkpoint configured: deleting the newest records or rewriting the chain is not detected",
    );
  } else {
    const read = await readCheckpoint(anchor);
    if (read.state === "missing") {
      warnings.push(
        `no checkpoint at ${anchor.file} yet: deleting the newest records or rewriting the chain is not detected`,
      );
    } else if (read.state === "invalid") {
      checkpointProblem = { reason: "checkpoint-unreadable", brokenAt: null, detail: read.error };
    } else {
      const signatureError = await checkpointSignatureError(ctx.db, ctx.encryptionKey, read.checkpoint);
      if (signatureError)
        checkpointProblem = {
          reason: "checkpoint-signature",
          brokenAt: read.checkpoint.seq,
          detail: signatureError,
        };
      else checkpoint = read.checkpoint;
    }
  }

  const walk = await walkAuditChain(ctx.db, auditChainKey(ctx.encryptionKey), CHAIN_START, batchSize);
  const facts: AuditChainFacts = {
    checked: walk.checked,
    keyedRecords: walk.keyedRecords,
    legacyRecords: walk.legacyRecords,
    anchored: checkpoint !== null,
    checkpoint: checkpoint && anchor ? { file: anchor.file, ...pick(checkpoint) } : null,
    checkpointWrittenAt: null,
    warnings,
  };
  if (!walk.ok)
    return {
      ok: false,
      brokenAt: walk.brokenAt,
      reason: walk.reason,
      detail: DETAILS[walk.reason](walk.brokenAt),
      ...facts,
    };
  if (checkpointProblem) return { ok: false, ...checkpointProblem, ...facts };
  if (checkpoint) {
    if (walk.lastSeq < checkpoint.seq)
      return {
        ok: false,
        brokenAt: walk.lastSeq + 1,
        reason: "truncated",
        detail: `the checkpoint of ${checkpoint.at} anchors record #${checkpoint.seq}, the chain ends at #${walk.lastSeq}: records from #${walk.lastSeq + 1} were deleted`,
        ...facts,
      };
    const anchored = await ctx.db.auditEvent.findUnique({
      where: { seq: checkpoint.seq },
      select: { hash: true },
    });
    if (anchored?.hash !== checkpoint.hash)
      return {
        ok: false,
        brokenAt: checkpoint.seq,
        reason: "rewritten",
        detail: `record #${checkpoint.seq} carries another hash than the checkpoint of ${checkpoint.at}: the chain was rewritten up to it`,
        ...facts,
      };
  }
  if (anchor) {
    const written = await checkpointAuditHead(
      { db: ctx.db, encryptionKey: ctx.encryptionKey, logger: ctx.logger, now: () => ctx.clock.now() },
      anchor,
      { batchSize },
    ).catch((error: unknown) => {
      ctx.logger.warn({ err: error, file: anchor.file }, "cannot write the audit checkpoint");
      return null;
    });
    if (written?.written) facts.checkpointWrittenAt = written.checkpoint.seq;
    else if (written?.reason === "no-signing-key")
      warnings.push(`no checkpoint written: ${written.detail ?? ""}`);
  }
  return { ok: true, lastSeq: walk.lastSeq, ...facts };
}

function pick(cp: AuditCheckpoint) {
  return { seq: cp.seq, hash: cp.hash, at: cp.at, kid: cp.kid };
}
