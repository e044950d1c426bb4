import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, type Page } from "../shared/schemas.ts";
import { sessionSelect, toSessionDto, type SessionDto } from "./select.ts";

export const ZListSessionsInput = z.object({
  licenseId: ZId,
  /**
   * open: not ended (live or late); seated: holding a seat (open, or ended while its grace token
   * keeps the seat held); ended; all
   */
  state: z.enum(["open", "seated", "ended", "all"]).default("open"),
  ...ZPagination,
});
export type TListSessionsInput = z.input<typeof ZListSessionsInput>;

/** A license's sessions, newest first. */
export async function listSessions(ctx: DomainContext, input: TListSessionsInput): Promise<Page<SessionDto>> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZListSessionsInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, f.licenseId);
  const now = ctx.clock.now();
  const where = sessionsWhere(f, now);
  const [rows, total] = await Promise.all([
    ctx.db.session.findMany({
      where,
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
      select: sessionSelect,
    }),
    ctx.db.session.count({ where }),
  ]);
  return { items: rows.map((row) => toSessionDto(row, now)), total, page: f.page, pageSize: f.pageSize };
}

/**
 * The list's filters as a `where` (the caller checked the license is in scope). The CSV export
 * (export-sessions.ts) uses it too.
 */
export function sessionsWhere(
  f: Pick<z.output<typeof ZListSessionsInput>, "licenseId" | "state">,
  now: Date,
): Prisma.SessionWhereInput {
  const states: Record<typeof f.state, Prisma.SessionWhereInput> = {
    open: { endedAt: null },
    seated: { OR: [{ endedAt: null }, { graceUntil: { gt: now } }] },
    ended: { endedAt: { not: null } },
    all: {},
  };
  const where: Prisma.SessionWhereInput = { licenseId: f.licenseId, ...states[f.state] };
  return where;
}
