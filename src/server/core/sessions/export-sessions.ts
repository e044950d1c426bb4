// A license's sessions as a CSV export: the list's filters (sessionsWhere), newest first, every
// row in keyset pages.
import type { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  keysetAfter,
  keysetOrderBy,
  keysetPages,
  mapPages,
  type KeysetOrder,
  type TableExport,
} from "../shared/table-export.ts";
import { sessionsWhere, ZListSessionsInput } from "./list-sessions.ts";
import { sessionSelect, toSessionDto } from "./select.ts";

/** The list's filters; page and pageSize are ignored (every matching session). */
export const ZExportSessionsInput = ZListSessionsInput.omit({ page: true, pageSize: true });
export type TExportSessionsInput = z.input<typeof ZExportSessionsInput>;

export const SESSION_EXPORT_COLUMNS = [
  "id",
  "licenseId",
  "licenseKey",
  "state",
  "fingerprint",
  "hostname",
  "clientVersion",
  "ip",
  "startedAt",
  "lastHeartbeatAt",
  "deadlineAt",
  "endedAt",
  "endReason",
  "graceUntil",
] as const;

const ORDER: KeysetOrder = { field: "startedAt", direction: "desc" };

export async function exportSessions(ctx: DomainContext, input: TExportSessionsInput): Promise<TableExport> {
  requirePermission(ctx.actor, "license.read");
  const filter = parseInput(ZExportSessionsInput, input);
  const license = await findLicenseInScope(ctx.db, ctx.actor, filter.licenseId);
  const now = ctx.clock.now();
  const where = sessionsWhere(filter, now);
  const pages = keysetPages<Prisma.SessionGetPayload<{ select: typeof sessionSelect }>>((after, take) =>
    ctx.db.session.findMany({
      where: after ? { AND: [where, keysetAfter<Prisma.SessionWhereInput>(ORDER, after)] } : where,
      orderBy: keysetOrderBy<Prisma.SessionOrderByWithRelationInput>(ORDER),
      take,
      select: sessionSelect,
    }),
  );
  return {
    name: `sessions-${license.key}`,
    columns: SESSION_EXPORT_COLUMNS,
    pages: mapPages(pages, (rows) =>
      rows.map((row) => {
        const session = toSessionDto(row, now);
        return [
          session.id,
          session.licenseId,
          license.key,
          session.state,
          session.fingerprint,
          session.hostname,
          session.clientVersion,
          session.ip,
          session.startedAt,
          session.lastHeartbeatAt,
          session.deadlineAt,
          session.endedAt,
          session.endReason,
          session.graceUntil,
        ];
      }),
    ),
  };
}
