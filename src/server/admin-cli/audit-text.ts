// How verify-audit and restore describe the audit chain and its signed checkpoint in one line.
import type { CheckpointOutcome } from "../core/audit/checkpoint.ts";
import type { AuditChainReport } from "../core/audit/verify-audit-chain.ts";

export function checkpointText(outcome: CheckpointOutcome): string {
  return outcome.written
    ? `checkpoint written at record #${outcome.checkpoint.seq} (key ${outcome.checkpoint.kid})`
    : `no checkpoint written (${outcome.reason}${outcome.detail ? `: ${outcome.detail}` : ""})`;
}

export function chainText(report: AuditChainReport, reanchored: CheckpointOutcome | undefined): string {
  if (!report.ok)
    return `audit chain BROKEN at record ${report.brokenAt ?? "-"} (${report.reason}): ${report.detail}; ${report.checked} records before it verify`;
  const kinds = `${report.keyedRecords} keyed, ${report.legacyRecords} unkeyed from before`;
  const anchored = report.checkpoint
    ? `; matches the checkpoint of ${report.checkpoint.at} at record #${report.checkpoint.seq}`
    : "; not anchored (no checkpoint compared)";
  const written = reanchored
    ? `; ${checkpointText(reanchored)}`
    : report.checkpointWrittenAt !== null
      ? `; checkpoint moved to record #${report.checkpointWrittenAt}`
      : "";
  return `audit chain ok: ${report.checked} records (${kinds})${anchored}${written}`;
}
