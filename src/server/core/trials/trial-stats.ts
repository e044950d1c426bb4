import { z } from "zod";
import type { Db, Prisma } from "../../db/client.ts";
import { groupScope, requirePermission } from "../access/policy.ts";
import type { Actor, DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZTrialStatsInput, type TTrialStatsInput } from "./schemas.ts";
import { trialStatusWhere } from "./select.ts";

const DAY_MS = 86_400_000;
export const TRIAL_STATS_WINDOW_DAYS = 30;

const ZTrialFigures = z.object({
  started: z.number().int(),
  /** of the trials started in the period, those converted (by now) */
  converted: z.number().int(),
  /** converted / started; null when none started */
  conversionRate: z.number().nullable(),
});

export const ZTrialStatsDto = z.object({
  /** trials started in the last 30 days */
  last30Days: ZTrialFigures,
  allTime: ZTrialFigures,
  /** trials running now (not converted, not expired) */
  active: z.number().int(),
});
export type TrialStatsDto = z.infer<typeof ZTrialStatsDto>;

async function figures(db: Db, where: Prisma.TrialWhereInput) {
  const [started, converted] = await Promise.all([
    db.trial.count({ where }),
    db.trial.count({ where: { AND: [where, { convertedAt: { not: null } }] } }),
  ]);
  return { started, converted, conversionRate: started === 0 ? null : converted / started };
}

/** The figures without the permission check (the dashboard summary has checked its own). */
export async function trialFigures(
  db: Db,
  actor: Actor,
  now: Date,
  productId?: string,
): Promise<TrialStatsDto> {
  const groupId = groupScope(actor);
  const base: Prisma.TrialWhereInput = {
    ...(productId ? { productId } : {}),
    ...(groupId ? { license: { customer: { groupId } } } : {}),
  };
  const since = new Date(now.getTime() - TRIAL_STATS_WINDOW_DAYS * DAY_MS);
  const [last30Days, allTime, active] = await Promise.all([
    figures(db, { AND: [base, { startedAt: { gt: since } }] }),
    figures(db, base),
    db.trial.count({ where: { AND: [base, trialStatusWhere("active", now)] } }),
  ]);
  return { last30Days, allTime, active };
}

/**
 * Trials started and converted over the last 30 days and all time, with the conversion rate
 * (a cohort rate: of the trials started in the period, the share converted by now).
 */
export async function trialStats(ctx: DomainContext, input: TTrialStatsInput = {}): Promise<TrialStatsDto> {
  requirePermission(ctx.actor, "trial.read");
  const { productId } = parseInput(ZTrialStatsInput, input);
  return trialFigures(ctx.db, ctx.actor, ctx.clock.now(), productId);
}
