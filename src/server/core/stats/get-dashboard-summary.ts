import { z } from "zod";
import { groupScope, PERMISSIONS, requirePermission, roleAtLeast } from "../access/policy.ts";
import { listAuditEvents, ZAuditEventDto } from "../audit/list-audit-events.ts";
import type { DomainContext } from "../context.ts";
import { listLicenses } from "../licenses/list-licenses.ts";
import { ZLicenseDto } from "../licenses/select.ts";
import { statusWhere } from "../licenses/status.ts";
import { trialFigures, ZTrialStatsDto } from "../trials/trial-stats.ts";

export const ZDashboardSummaryDto = z.object({
  /** customers not archived, in the caller's groups */
  customers: z.number().int(),
  /** licenses whose effective status is active */
  activeLicenses: z.number().int(),
  /** sessions not ended (live or late) */
  activeSessions: z.number().int(),
  /** active licenses expiring within 30 days, soonest first (at most 10) */
  expiringSoon: z.array(ZLicenseDto),
  expiringSoonTotal: z.number().int(),
  /** the latest audit events; null when the caller's role may not read the audit log */
  recentAudit: z.array(ZAuditEventDto).nullable(),
  /** trials started and converted (last 30 days, all time); null when the role may not read trials */
  trials: ZTrialStatsDto.nullable(),
});
export type DashboardSummaryDto = z.infer<typeof ZDashboardSummaryDto>;

/** The dashboard's numbers, within the caller's groups. */
export async function getDashboardSummary(ctx: DomainContext): Promise<DashboardSummaryDto> {
  requirePermission(ctx.actor, "license.read");
  const now = ctx.clock.now();
  const groupId = groupScope(ctx.actor);
  const [customers, activeLicenses, activeSessions, expiring, audit, trials] = await Promise.all([
    ctx.db.customer.count({ where: { groupId, archivedAt: null } }),
    ctx.db.license.count({ where: { AND: [{ customer: { groupId } }, statusWhere("active", now)] } }),
    ctx.db.session.count({ where: { endedAt: null, license: { customer: { groupId } } } }),
    listLicenses(ctx, { expiringWithinDays: 30, sort: "expiresAt", direction: "asc", pageSize: 10 }),
    roleAtLeast(ctx.actor.role, PERMISSIONS["audit.read"]) ? listAuditEvents(ctx, { pageSize: 10 }) : null,
    roleAtLeast(ctx.actor.role, PERMISSIONS["trial.read"]) ? trialFigures(ctx.db, ctx.actor, now) : null,
  ]);
  return {
    customers,
    activeLicenses,
    activeSessions,
    expiringSoon: expiring.items,
    expiringSoonTotal: expiring.total,
    recentAudit: audit?.items ?? null,
    trials,
  };
}
