// When a session is alive: its deadline is one heartbeat interval after the last heartbeat; it
// dies when the deadline plus the server's tolerance has passed.
//
// When a session holds a seat: while it is alive, and (floating licenses) until the last grace
// token issued for it has expired (`graceUntil`), whether or not it has ended since: a machine
// whose network was cut keeps running on that token, so its seat must stay taken for as long
// (the invariant: never more machines running a floating license than it has seats, online or
// offline). Only a deactivation frees the seat at once; the machine gave its token up.
import type { Prisma } from "../../db/client.ts";
import type { Tx } from "../../db/client.ts";
import { licenseEventData, sessionEventData, sessionEventSelect } from "../events/payloads.ts";
import type { MutationScope } from "../shared/mutate.ts";

/** What a change records besides its writes: audit records and events (mutate()'s). */
export type Recorders = Pick<MutationScope, "audit" | "emit">;

export const SESSION_END_REASONS = [
  "deactivated",
  "heartbeat_dead",
  "license_revoked",
  "license_suspended",
  "admin",
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export function nextDeadline(now: Date, heartbeatIntervalSeconds: number): Date {
  return new Date(now.getTime() + heartbeatIntervalSeconds * 1000);
}

/** The latest deadline a session may have and still be alive at `now`. */
export function deadCutoff(now: Date, toleranceSeconds: number): Date {
  return new Date(now.getTime() - toleranceSeconds * 1000);
}

export function isDead(deadlineAt: Date, now: Date, toleranceSeconds: number): boolean {
  return deadlineAt < deadCutoff(now, toleranceSeconds);
}

/** Open sessions whose heartbeats are on time (or within the tolerance): a machine can resume them. */
export function liveSessionWhere(now: Date, toleranceSeconds: number): Prisma.SessionWhereInput {
  return { endedAt: null, deadlineAt: { gte: deadCutoff(now, toleranceSeconds) } };
}

/** Sessions holding a seat at `now`: live ones, and any whose last grace token is still valid. */
export function seatHolderWhere(now: Date, toleranceSeconds: number): Prisma.SessionWhereInput {
  return { OR: [liveSessionWhere(now, toleranceSeconds), { graceUntil: { gt: now } }] };
}

/**
 * Ends the given open sessions with one audit event each, and one event each: session.reaped
 * (heartbeats stopped) or session.ended (docs/events.md). Returns how many this call ended (a
 * session another transaction ended first is skipped, so each end is recorded once). Only a
 * deactivation gives the seat hold up (`graceUntil` cleared): every other end (heartbeats
 * stopped, an admin, the license suspended or revoked) leaves the machine its grace token, so
 * the seat stays held until that token expires.
 */
export async function endSessions(
  tx: Tx,
  sessions: readonly { id: string; licenseId: string; fingerprint: string }[],
  reason: SessionEndReason,
  now: Date,
  { audit, emit }: Recorders,
  extra: Record<string, unknown> = {},
): Promise<number> {
  let ended = 0;
  const endedIds: string[] = [];
  for (const session of sessions) {
    const { count } = await tx.session.updateMany({
      where: { id: session.id, endedAt: null },
      data: { endedAt: now, endReason: reason, ...(reason === "deactivated" ? { graceUntil: null } : {}) },
    });
    if (count === 0) continue;
    ended += 1;
    endedIds.push(session.id);
    audit({
      action: "session.end",
      targetType: "session",
      targetId: session.id,
      summary: { licenseId: session.licenseId, fingerprint: session.fingerprint, reason, ...extra },
    });
  }
  if (endedIds.length > 0) {
    const rows = await tx.session.findMany({
      where: { id: { in: endedIds } },
      orderBy: [{ startedAt: "asc" }, { id: "asc" }],
      select: sessionEventSelect,
    });
    const licenses = new Map<string, Awaited<ReturnType<typeof licenseEventData>>>();
    for (const row of rows) {
      let license = licenses.get(row.licenseId);
      if (!license) {
        license = await licenseEventData(tx, row.licenseId, now);
        licenses.set(row.licenseId, license);
      }
      emit({
        type: reason === "heartbeat_dead" ? "session.reaped" : "session.ended",
        licenseId: row.licenseId,
        data: { license, session: sessionEventData(row, true), reason },
      });
    }
  }
  return ended;
}
