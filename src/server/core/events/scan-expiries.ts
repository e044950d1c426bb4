// The expiry scan (docs/events.md "Expiry notices"): license.expiring_soon 30, 7 and 1 days before
// a license's expiry, license.expired when it is reached (and trial.expired for an unconverted
// trial), each once per license, threshold and expiry, recorded in LicenseExpiryNotice in the same
// transaction as the event. Only the smallest threshold that applies is sent: a license issued
// with 5 days left gets the 7-day notice, not the 30-day one too. Expiries more than
// EXPIRED_LOOKBACK_DAYS ago are not announced (an upgrade must not flood receivers with old ones).
// Licenses that are active, suspended or stored as expired are scanned; revoked ones are not.
// Several scanners may run at once (sidecars sharing a PostgreSQL): the notice's primary key
// decides, and the one that loses sends nothing.
import type { Prisma } from "../../db/client.ts";
import type { DomainContext } from "../context.ts";
import { DomainError } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { licenseEventData, trialEventData } from "./payloads.ts";

const DAY_MS = 86_400_000;

/** Days before the expiry at which license.expiring_soon is sent. */
export const EXPIRY_THRESHOLDS = [30, 7, 1] as const;
/** license.expired is sent only for expiries at most this many days ago. */
export const EXPIRED_LOOKBACK_DAYS = 7;
/** The statuses scanned: a revoked license gets no notices. */
const SCANNED_STATUSES = ["active", "suspended", "expired"];

export interface ExpiryScanResult {
  /** license.expiring_soon events sent */
  expiringSoon: number;
  /** license.expired events sent */
  expired: number;
  /** trial.expired events sent (with a license.expired each) */
  trialsExpired: number;
  /** notices another scanner sent first (nothing sent here) */
  alreadySent: number;
  /** the call stopped at `limit` notices: more are due (call again) */
  more: boolean;
}

interface Window {
  /** 0: expired */
  threshold: number;
  /** expiresAt > after and <= until */
  after: Date;
  until: Date;
}

/** The windows of expiresAt in which each threshold is the smallest applicable one, most urgent first. */
function windows(now: Date): Window[] {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS);
  return [
    { threshold: 0, after: at(-EXPIRED_LOOKBACK_DAYS), until: now },
    { threshold: 1, after: now, until: at(1) },
    { threshold: 7, after: at(1), until: at(7) },
    { threshold: 30, after: at(7), until: at(30) },
  ];
}

/**
 * Sends the expiry notices that are due, at most `limit` per call (the licenses are read in pages
 * of `limit` too, along the (expiresAt, id) index). A renewal moves the expiry, so the new
 * expiry gets its own notices.
 */
export async function scanExpiries(
  ctx: DomainContext,
  options: { limit?: number } = {},
): Promise<ExpiryScanResult> {
  const limit = Math.max(1, options.limit ?? 500);
  const now = ctx.clock.now();
  const result: ExpiryScanResult = {
    expiringSoon: 0,
    expired: 0,
    trialsExpired: 0,
    alreadySent: 0,
    more: false,
  };
  let budget = limit;
  for (const window of windows(now)) {
    let cursor: { expiresAt: Date; id: string } | null = null;
    for (;;) {
      const where: Prisma.LicenseWhereInput = {
        status: { in: SCANNED_STATUSES },
        expiresAt: { gt: window.after, lte: window.until },
        ...(cursor
          ? {
              OR: [
                { expiresAt: { gt: cursor.expiresAt } },
                { expiresAt: cursor.expiresAt, id: { gt: cursor.id } },
              ],
            }
          : {}),
      };
      const page = await ctx.db.license.findMany({
        where,
        orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
        take: limit,
        select: { id: true, expiresAt: true },
      });
      if (page.length === 0) break;
      const sent = await ctx.db.licenseExpiryNotice.findMany({
        where: { licenseId: { in: page.map((l) => l.id) }, threshold: window.threshold },
        select: { licenseId: true, expiresAt: true },
      });
      const done = new Set(sent.map((n) => `${n.licenseId} ${n.expiresAt.getTime()}`));
      for (const license of page) {
        const expiresAt = license.expiresAt;
        if (!expiresAt || done.has(`${license.id} ${expiresAt.getTime()}`)) continue;
        if (budget === 0) {
          result.more = true;
          return result;
        }
        budget -= 1;
        const outcome = await sendNotice(ctx, license.id, window.threshold, expiresAt);
        if (outcome === "expiring") result.expiringSoon += 1;
        else if (outcome === "expired" || outcome === "trial_expired") {
          result.expired += 1;
          if (outcome === "trial_expired") result.trialsExpired += 1;
        } else if (outcome === "already_sent") result.alreadySent += 1;
      }
      const last = page[page.length - 1];
      if (page.length < limit || !last?.expiresAt) break;
      cursor = { expiresAt: last.expiresAt, id: last.id };
    }
  }
  if (result.expiringSoon + result.expired > 0) ctx.logger.info({ ...result }, "sent license expiry notices");
  return result;
}

type NoticeOutcome = "expiring" | "expired" | "trial_expired" | "already_sent" | "moved";

/** One notice and its event(s) in one transaction; a notice another scanner recorded first: nothing. */
async function sendNotice(
  ctx: DomainContext,
  licenseId: string,
  threshold: number,
  expiresAt: Date,
): Promise<NoticeOutcome> {
  try {
    return await mutate(ctx, async ({ tx, now, emit }): Promise<NoticeOutcome> => {
      // renewed or revoked since the page was read: the next scan judges it afresh
      const current = await tx.license.findUnique({
        where: { id: licenseId },
        select: {
          status: true,
          expiresAt: true,
          trial: true,
          trialRecord: { select: { id: true, convertedAt: true } },
        },
      });
      if (
        !current ||
        !SCANNED_STATUSES.includes(current.status) ||
        current.expiresAt?.getTime() !== expiresAt.getTime()
      )
        return "moved";
      // the primary key (license, threshold, expiry) decides between concurrent scanners
      await tx.licenseExpiryNotice.create({
        data: { licenseId, threshold, expiresAt, sentAt: now },
        select: { licenseId: true },
      });
      const license = await licenseEventData(tx, licenseId, now);
      if (threshold > 0) {
        emit({
          type: "license.expiring_soon",
          licenseId,
          data: { license, daysLeft: threshold, expiresAt: expiresAt.toISOString() },
        });
        return "expiring";
      }
      emit({ type: "license.expired", licenseId, data: { license, expiredAt: expiresAt.toISOString() } });
      const trial = current.trialRecord;
      if (current.trial && trial && trial.convertedAt === null) {
        emit({
          type: "trial.expired",
          licenseId,
          data: { trial: await trialEventData(tx, trial.id), license },
        });
        return "trial_expired";
      }
      return "expired";
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === "CONFLICT") return "already_sent";
    throw error;
  }
}
