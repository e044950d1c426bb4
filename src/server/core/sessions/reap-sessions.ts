import type { DomainContext } from "../context.ts";
import { lockLicense } from "../validation/client-license.ts";
import { mutate } from "../shared/mutate.ts";
import { deadCutoff, endSessions } from "./session-rules.ts";

/**
 * Ends sessions whose heartbeats stopped (deadline + tolerance passed), license by license with
 * the license locked, so it never races an activation's seat count. Several instances may reap
 * at once: each end is written and audited once. Returns how many sessions this call ended.
 */
export async function reapDeadSessions(
  ctx: DomainContext,
  toleranceSeconds: number,
  options: { batch?: number } = {},
): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = deadCutoff(now, toleranceSeconds);
  const dead = await ctx.db.session.findMany({
    where: { endedAt: null, deadlineAt: { lt: cutoff } },
    orderBy: { deadlineAt: "asc" },
    take: options.batch ?? 500,
    select: { licenseId: true },
  });
  let ended = 0;
  for (const licenseId of new Set(dead.map((s) => s.licenseId))) {
    ended += await mutate(ctx, async ({ tx, audit, emit }) => {
      await lockLicense(tx, ctx.provider, licenseId);
      const sessions = await tx.session.findMany({
        where: { licenseId, endedAt: null, deadlineAt: { lt: cutoff } },
        select: { id: true, licenseId: true, fingerprint: true },
      });
      return endSessions(tx, sessions, "heartbeat_dead", now, { audit, emit }, { reaped: true });
    });
  }
  if (ended > 0) ctx.logger.info({ ended }, "ended sessions whose heartbeats stopped");
  return ended;
}
