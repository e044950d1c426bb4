import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { invalidArgument } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";

export const ZGetActivityInput = z.object({
  /** ISO-8601 date-time with offset; default: 7 days (hour) or 30 days (day) before `to` */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO-8601 date-time with offset; default now */
  to: z.iso.datetime({ offset: true }).optional(),
  granularity: z.enum(["hour", "day"]).default("day"),
});
export type TGetActivityInput = z.input<typeof ZGetActivityInput>;

export const ZActivityDto = z.object({
  granularity: z.enum(["hour", "day"]),
  from: z.date(),
  to: z.date(),
  /** one point per hour or UTC day in [from, to], gaps filled with zeros */
  series: z.array(
    z.object({
      at: z.date(),
      validations: z.number().int(),
      refused: z.number().int(),
      /** the last sample of live sessions in the bucket */
      activeSessions: z.number().int(),
    }),
  ),
});
export type ActivityDto = z.infer<typeof ZActivityDto>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_POINTS = 24 * 92;

/**
 * The buckets of a chart: their length, the range asked for (defaults filled in) and the first
 * bucket's start; refused when empty or longer than MAX_POINTS buckets.
 */
export function activityRange(
  ctx: Pick<DomainContext, "clock">,
  f: { from?: string | undefined; to?: string | undefined; granularity: "hour" | "day" },
): { step: number; from: Date; to: Date; first: number } {
  const step = f.granularity === "hour" ? HOUR : DAY;
  const to = f.to ? new Date(f.to) : ctx.clock.now();
  const from = f.from
    ? new Date(f.from)
    : new Date(to.getTime() - (f.granularity === "hour" ? 7 * DAY : 30 * DAY));
  if (from >= to)
    throw invalidArgument("from must be before to", [{ path: "from", message: "must be before to" }]);
  const first = Math.floor(from.getTime() / step) * step;
  if ((to.getTime() - first) / step > MAX_POINTS) {
    throw invalidArgument(`at most ${MAX_POINTS} points: shorten the range or use a coarser granularity`, [
      { path: "from", message: "range too long for this granularity" },
    ]);
  }
  return { step, from, to, first };
}

/** Licensing activity over time, across all licenses (no per-group breakdown is kept). */
export async function getActivity(ctx: DomainContext, input: TGetActivityInput = {}): Promise<ActivityDto> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZGetActivityInput, input);
  const { step, from, to, first } = activityRange(ctx, f);
  const rows = await ctx.db.activityBucket.findMany({
    where: { at: { gte: new Date(first), lte: to } },
    orderBy: { at: "asc" },
    select: { at: true, validations: true, refused: true, activeSessions: true },
  });
  const points = new Map<number, ActivityDto["series"][number]>();
  for (let t = first; t <= to.getTime(); t += step) {
    points.set(t, { at: new Date(t), validations: 0, refused: 0, activeSessions: 0 });
  }
  for (const row of rows) {
    const point = points.get(Math.floor(row.at.getTime() / step) * step);
    if (!point) continue;
    point.validations += row.validations;
    point.refused += row.refused;
    // rows come oldest first: the bucket keeps the latest sample
    point.activeSessions = row.activeSessions;
  }
  return { granularity: f.granularity, from, to, series: [...points.values()] };
}
