// The audit log as a CSV export: the list's filters (auditEventsWhere, the caller's read scope
// included), in chain order, every record in keyset pages on `seq`.
import type { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { keysetPages, mapPages, type TableExport } from "../shared/table-export.ts";
import { auditEventsWhere, ZListAuditEventsInput } from "./list-audit-events.ts";
import { auditRecordSelect } from "./write-audit-event.ts";

/** The list's filters and direction; page and pageSize are ignored (every matching record). */
export const ZExportAuditEventsInput = ZListAuditEventsInput.omit({ page: true, pageSize: true });
export type TExportAuditEventsInput = z.input<typeof ZExportAuditEventsInput>;

export const AUDIT_EXPORT_COLUMNS = [
  "seq",
  "at",
  "actorType",
  "actorId",
  "actorLabel",
  "action",
  "targetType",
  "targetId",
  "ip",
  "summary",
  "hash",
] as const;

export function exportAuditEvents(ctx: DomainContext, input: TExportAuditEventsInput): Promise<TableExport> {
  requirePermission(ctx.actor, "audit.read");
  const filter = parseInput(ZExportAuditEventsInput, input);
  const where = auditEventsWhere(ctx, filter);
  const op = filter.direction === "asc" ? "gt" : "lt";
  const pages = keysetPages<Prisma.AuditEventGetPayload<{ select: typeof auditRecordSelect }>>(
    (after, take) =>
      ctx.db.auditEvent.findMany({
        where: after ? { AND: [where, { seq: { [op]: after.seq } }] } : where,
        orderBy: { seq: filter.direction },
        take,
        select: auditRecordSelect,
      }),
  );
  return Promise.resolve({
    name: "audit-log",
    columns: AUDIT_EXPORT_COLUMNS,
    pages: mapPages(pages, (rows) =>
      rows.map((row) => [
        row.seq,
        row.at,
        row.actorType,
        row.actorId,
        row.actorLabel,
        row.action,
        row.targetType,
        row.targetId,
        row.ip,
        // the stored JSON text, as the chain's hash covers it
        row.summary,
        row.hash,
      ]),
    ),
  });
}
