import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { auditReadScope } from "./audit-scope.ts";
import { auditRecordSelect } from "./write-audit-event.ts";
import {
  parseMetadata,
  ZMetadataOut,
  ZId,
  ZPagination,
  ZSortDirection,
  type Page,
} from "../shared/schemas.ts";

export const ZListAuditEventsInput = z.object({
  actorId: ZId.optional(),
  actorType: z.enum(["admin", "api_key", "system", "client"]).optional(),
  /** exact action ("license.revoke") or an area prefix ending in "." ("license.") */
  action: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(50).optional(),
  targetId: ZId.optional(),
  /** ISO-8601 date-time with offset; events at or after it */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO-8601 date-time with offset; events before it */
  to: z.iso.datetime({ offset: true }).optional(),
  direction: ZSortDirection.default("desc"),
  ...ZPagination,
});
export type TListAuditEventsInput = z.input<typeof ZListAuditEventsInput>;

export const ZAuditEventDto = z.object({
  id: z.string(),
  seq: z.number().int(),
  at: z.date(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  summary: ZMetadataOut,
  hash: z.string(),
});
export type AuditEventDto = z.infer<typeof ZAuditEventDto>;

/**
 * Read-only: no operation edits or deletes audit events. Below super_admin the caller reads the
 * events tagged with one of their groups, the events about their own account and the events they
 * did (auditReadScope); `total` counts the same set.
 */
export async function listAuditEvents(
  ctx: DomainContext,
  input: TListAuditEventsInput = {},
): Promise<Page<AuditEventDto>> {
  requirePermission(ctx.actor, "audit.read");
  const f = parseInput(ZListAuditEventsInput, input);
  return auditPage(ctx, f, auditEventsWhere(ctx, f));
}

/** The list's filters (parsed) without its order and page: what the CSV export takes too. */
export type AuditEventFilter = Omit<
  z.output<typeof ZListAuditEventsInput>,
  "direction" | "page" | "pageSize"
>;

/**
 * The list's filters as a `where`, within what the actor may read (auditReadScope). The CSV export
 * (export-audit-events.ts) uses it too.
 */
export function auditEventsWhere(ctx: DomainContext, f: AuditEventFilter): Prisma.AuditEventWhereInput {
  const scope = auditReadScope(ctx.actor);
  const filter: Prisma.AuditEventWhereInput = {
    ...(f.actorId ? { actorId: f.actorId } : {}),
    ...(f.actorType ? { actorType: f.actorType } : {}),
    ...(f.action ? { action: f.action.endsWith(".") ? { startsWith: f.action } : f.action } : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.targetId ? { targetId: f.targetId } : {}),
    ...(f.from || f.to
      ? { at: { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } }
      : {}),
  };
  const where: Prisma.AuditEventWhereInput = scope ? { AND: [scope, filter] } : filter;
  return where;
}

async function auditPage(
  ctx: DomainContext,
  f: z.output<typeof ZListAuditEventsInput>,
  where: Prisma.AuditEventWhereInput,
): Promise<Page<AuditEventDto>> {
  const [rows, total] = await Promise.all([
    ctx.db.auditEvent.findMany({
      where,
      orderBy: { seq: f.direction },
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
      select: auditRecordSelect,
    }),
    ctx.db.auditEvent.count({ where }),
  ]);
  return {
    items: rows.map(toAuditEventDto),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** A stored record as it leaves the server (the chain's internals stay inside). */
export function toAuditEventDto({
  prevHash: _prevHash,
  hashVersion: _hashVersion,
  ...row
}: Prisma.AuditEventGetPayload<{ select: typeof auditRecordSelect }>): AuditEventDto {
  return { ...row, summary: parseMetadata(row.summary) };
}
