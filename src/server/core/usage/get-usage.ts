import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { invalidArgument } from "../errors.ts";
import { FEATURE_KINDS } from "../features/select.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { QUOTA_PERIODS, type QuotaPeriod } from "../licenses/select.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { periodLabel, periodStart } from "./usage-period.ts";

export const ZGetUsageInput = z.object({
  licenseId: ZId,
  /** one feature's code; all metered features when absent */
  featureCode: z.string().trim().min(1).max(64).optional(),
  /** buckets of the series */
  granularity: z.enum(["day", "month"]).default("day"),
  /** ISO-8601 date-time with offset; default 30 days before `to` */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO-8601 date-time with offset (inclusive); default now */
  to: z.iso.datetime({ offset: true }).optional(),
});
export type TGetUsageInput = z.input<typeof ZGetUsageInput>;

export const ZFeatureUsageDto = z.object({
  featureCode: z.string(),
  name: z.string(),
  kind: z.enum(FEATURE_KINDS),
  unit: z.string().nullable(),
  quota: z.number().int().nullable(),
  quotaPeriod: z.enum(QUOTA_PERIODS),
  /** used in the quota period that contains now */
  usedThisPeriod: z.number(),
  /** used ever */
  usedTotal: z.number(),
  /** totals per bucket within [from, to], oldest first; buckets without use are left out */
  series: z.array(z.object({ period: z.string(), amount: z.number() })),
});
export const ZUsageDto = z.object({
  licenseId: z.string(),
  from: z.date(),
  to: z.date(),
  granularity: z.enum(["day", "month"]),
  features: z.array(ZFeatureUsageDto),
});
export type UsageDto = z.infer<typeof ZUsageDto>;

const MAX_RANGE_DAYS = 3660;

/** Usage of a license's features: current-period totals against quotas, and a series for charts. */
export async function getUsage(ctx: DomainContext, input: TGetUsageInput): Promise<UsageDto> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZGetUsageInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, f.licenseId);
  const now = ctx.clock.now();
  const to = f.to ? new Date(f.to) : now;
  const from = f.from ? new Date(f.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to)
    throw invalidArgument("from must be before to", [{ path: "from", message: "must be before to" }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw invalidArgument(`the range may span at most ${MAX_RANGE_DAYS} days`, [
      { path: "from", message: `at most ${MAX_RANGE_DAYS} days before to` },
    ]);
  }
  const entitlements = await ctx.db.entitlement.findMany({
    where: {
      licenseId: f.licenseId,
      feature: { kind: "metered", ...(f.featureCode ? { code: f.featureCode } : {}) },
    },
    orderBy: { feature: { code: "asc" } },
    select: {
      quota: true,
      quotaPeriod: true,
      feature: { select: { id: true, code: true, name: true, kind: true, unit: true } },
    },
  });
  const features = await Promise.all(
    entitlements.map(async ({ feature, quota, quotaPeriod }) => {
      const period = quotaPeriod as QuotaPeriod;
      const since = periodStart(period, now);
      const [thisPeriod, total, records] = await Promise.all([
        ctx.db.usageRecord.aggregate({
          where: {
            licenseId: f.licenseId,
            featureId: feature.id,
            ...(since ? { recordedAt: { gte: since } } : {}),
          },
          _sum: { amount: true },
        }),
        ctx.db.usageRecord.aggregate({
          where: { licenseId: f.licenseId, featureId: feature.id },
          _sum: { amount: true },
        }),
        ctx.db.usageRecord.groupBy({
          by: ["recordedAt"],
          where: { licenseId: f.licenseId, featureId: feature.id, recordedAt: { gte: from, lte: to } },
          _sum: { amount: true },
        }),
      ]);
      const buckets = new Map<string, number>();
      for (const row of records) {
        const label = periodLabel(f.granularity, row.recordedAt);
        buckets.set(label, (buckets.get(label) ?? 0) + (row._sum.amount ?? 0));
      }
      return {
        featureCode: feature.code,
        name: feature.name,
        kind: feature.kind as (typeof FEATURE_KINDS)[number],
        unit: feature.unit,
        quota,
        quotaPeriod: period,
        usedThisPeriod: thisPeriod._sum.amount ?? 0,
        usedTotal: total._sum.amount ?? 0,
        series: [...buckets.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([period, amount]) => ({ period, amount })),
      };
    }),
  );
  return { licenseId: f.licenseId, from, to, granularity: f.granularity, features };
}
