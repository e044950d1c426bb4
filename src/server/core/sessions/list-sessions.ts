import { z } from "zod";
import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import { requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, type Page } from "../shared/schemas.ts";
import { sessionSelect, toSessionDto, type SessionDto } from "./select.ts";

export const ZListSessionsInput = z.object({
  licenseId: ZId,
  /** open: not ended (live or late); ended; all */
  state: z.enum(["open", "ended", "all"]).default("open"),
  ...ZPagination,
});
export type TListSessionsInput = z.input<typeof ZListSessionsInput>;

/** A license's sessions, newest first. */
export async function listSessions(ctx: DomainContext, input: TListSessionsInput): Promise<Page<SessionDto>> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZListSessionsInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, f.licenseId);
  const where: Prisma.SessionWhereInput = {
    licenseId: f.licenseId,
    ...(f.state === "open" ? { endedAt: null } : f.state === "ended" ? { endedAt: { not: null } } : {}),
  };
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
  const now = ctx.clock.now();
  return { items: rows.map((row) => toSessionDto(row, now)), total, page: f.page, pageSize: f.pageSize };
}
