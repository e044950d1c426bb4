// A floating license's grace token is a lease on a seat: the session's stored `graceUntil` must
// cover every token issued for it before the answer carrying the token leaves (a crash after the
// answer must not lose the hold, so this write is never buffered with the heartbeats).
//
// Write cost against hold length: a hold written for exactly the token's expiry would need a
// write on every heartbeat (each token expires a little later than the last). So a write stores
// the hold HOLD_AHEAD_INTERVALS heartbeat intervals beyond the token it covers (at most a quarter
// of the grace period), and the next heartbeats' tokens fit under it without a write: with
// heartbeats once per interval about one heartbeat in four writes, with the SDK's (90–100 % of
// the interval) one in four or five. The price: a machine that crashed right after such a write
// keeps its seat for up to that margin (default 300 s interval: 15 min) beyond its last token.
import type { Db } from "../../db/client.ts";
import type { ClientLicense } from "../validation/client-license.ts";
import { graceTokenExpiry, tokenStrategy } from "../validation/grace-token.ts";

/** How many heartbeat intervals a stored hold reaches beyond the token it was written for. */
export const HOLD_AHEAD_INTERVALS = 3;

type HoldTerms = Pick<
  ClientLicense,
  | "type"
  | "heartbeatIntervalSeconds"
  | "gracePeriodHours"
  | "expiresAt"
  | "checkInIntervalDays"
  | "expiryStrategy"
  | "trial"
>;

/** Whether the license's grace tokens need a seat hold (node-locked ones are backed by the binding). */
export function holdsSeatOffline(license: Pick<ClientLicense, "type">): boolean {
  return license.type === "floating";
}

/** The expiry of a grace token issued for this license at `now` (a trial's: never past its end). */
export function tokenExpiry(license: HoldTerms, now: Date): Date {
  return graceTokenExpiry({
    licenseExpiresAt: license.expiresAt,
    gracePeriodHours: license.gracePeriodHours,
    checkInIntervalDays: license.checkInIntervalDays,
    expiryStrategy: tokenStrategy(license),
    now,
  });
}

/** The hold to store for a token expiring at `expiresAt`: it, plus room for the next tokens. */
export function holdFor(license: HoldTerms, expiresAt: Date): Date {
  const aheadSeconds = Math.min(
    HOLD_AHEAD_INTERVALS * license.heartbeatIntervalSeconds,
    (license.gracePeriodHours * 3600) / 4,
  );
  return new Date(expiresAt.getTime() + aheadSeconds * 1000);
}

/** Whether a stored hold fails to cover a token expiring at `expiresAt` (an expired one needs none). */
export function needsHold(stored: Date | null, expiresAt: Date, now: Date): boolean {
  return expiresAt > now && (stored === null || stored < expiresAt);
}

/**
 * Raises an open session's stored hold to `hold` (never lowers it). True when the stored hold
 * now covers `expiresAt`; false when the session ended meanwhile (then no token may be issued).
 */
export async function coverToken(db: Db, sessionId: string, hold: Date, expiresAt: Date): Promise<boolean> {
  const { count } = await db.session.updateMany({
    where: { id: sessionId, endedAt: null, OR: [{ graceUntil: null }, { graceUntil: { lt: hold } }] },
    data: { graceUntil: hold },
  });
  if (count === 1) return true;
  // nothing written: ended, or another heartbeat stored a later hold first
  const row = await db.session.findUnique({
    where: { id: sessionId },
    select: { endedAt: true, graceUntil: true },
  });
  return row !== null && row.endedAt === null && row.graceUntil !== null && row.graceUntil >= expiresAt;
}
