import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { activityRange } from "./get-activity.ts";

export const ZGetLicenseActivityInput = z.object({
  licenseId: ZId,
  /** ISO-8601 date-time with offset; default: 7 days (hour) or 30 days (day) before `to` */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO-8601 date-time with offset; default now */
  to: z.iso.datetime({ offset: true }).optional(),
  granularity: z.enum(["hour", "day"]).default("day"),
});
export type TGetLicenseActivityInput = z.input<typeof ZGetLicenseActivityInput>;

export const ZLicenseActivityDto = z.object({
  licenseId: z.string(),
  granularity: z.enum(["hour", "day"]),
  from: z.date(),
  to: z.date(),
  /** one point per hour or UTC day in [from, to], gaps filled with zeros */
  series: z.array(
    z.object({
      at: z.date(),
      /** Validate and Activate calls answered for this license */
      validations: z.number().int(),
      /** of those, answered with a status other than VALID */
      refused: z.number().int(),
    }),
  ),
});
export type LicenseActivityDto = z.infer<typeof ZLicenseActivityDto>;

/** One license's validations over time (counted per hour by the licensing API). */
export async function getLicenseActivity(
  ctx: DomainContext,
  input: TGetLicenseActivityInput,
): Promise<LicenseActivityDto> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZGetLicenseActivityInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, f.licenseId);
  const range = activityRange(ctx, f);
  const rows = await ctx.db.licenseActivityBucket.findMany({
    where: { licenseId: f.licenseId, at: { gte: new Date(range.first), lte: range.to } },
    orderBy: { at: "asc" },
    select: { at: true, validations: true, refused: true },
  });
  const points = new Map<number, LicenseActivityDto["series"][number]>();
  for (let t = range.first; t <= range.to.getTime(); t += range.step) {
    points.set(t, { at: new Date(t), validations: 0, refused: 0 });
  }
  for (const row of rows) {
    const point = points.get(Math.floor(row.at.getTime() / range.step) * range.step);
    if (!point) continue;
    point.validations += row.validations;
    point.refused += row.refused;
  }
  return {
    licenseId: f.licenseId,
    granularity: f.granularity,
    from: range.from,
    to: range.to,
    series: [...points.values()],
  };
}
