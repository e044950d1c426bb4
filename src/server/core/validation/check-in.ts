// Required check-ins: a license with a check-in interval must be validated online at least that
// often. Every VALID online answer names the next deadline (Standing.nextCheckInAt); grace tokens
// and .lic files never outlive it (grace-token.ts, offline/checkout-license-file.ts), and the
// SDK's offline tiers refuse with OVERDUE past it. See docs/check-ins.md.
import type { Db } from "../../db/client.ts";
import { sqliteTime } from "../../db/fast-reads.ts";
import type { DbProvider } from "../../db/provider.ts";
import { NO_STANDING, type ClientLicense, type Standing } from "./client-license.ts";
import type { LicensingContext } from "./licensing-context.ts";

/** License.lastCheckInAt is written at most once per this long per license. */
export const CHECK_IN_RESOLUTION_MS = 3600_000;

const DAY_MS = 86_400_000;

/** The check-in deadline of an online answer given at `now`; null: the license requires none. */
export function nextCheckIn(license: Pick<ClientLicense, "checkInIntervalDays">, now: Date): Date | null {
  const days = license.checkInIntervalDays;
  return days === null || days <= 0 ? null : new Date(now.getTime() + days * DAY_MS);
}

/**
 * Notes a check-in (a VALID online answer) on a license that requires them: at most one write an
 * hour, and none while the row read with the request is recent, so validations stay reads. The
 * write is conditional, so concurrent check-ins (other instances too) write once. Raw SQL: a
 * check-in is not an admin's change, so it leaves the license's `updatedAt` alone.
 */
export async function recordCheckIn(
  db: Db,
  provider: DbProvider,
  license: Pick<ClientLicense, "id" | "checkInIntervalDays" | "lastCheckInAt">,
  now: Date,
): Promise<void> {
  if (nextCheckIn(license, now) === null) return;
  const before = new Date(now.getTime() - CHECK_IN_RESOLUTION_MS);
  if (license.lastCheckInAt !== null && license.lastCheckInAt >= before) return;
  if (provider === "postgresql") {
    await db.$executeRawUnsafe(
      `UPDATE "License" SET "lastCheckInAt" = $1::timestamp(3)
       WHERE "id" = $2 AND ("lastCheckInAt" IS NULL OR "lastCheckInAt" < $3::timestamp(3))`,
      now.toISOString(),
      license.id,
      before.toISOString(),
    );
    return;
  }
  await db.$executeRawUnsafe(
    `UPDATE "License" SET "lastCheckInAt" = ?
     WHERE "id" = ? AND ("lastCheckInAt" IS NULL OR "lastCheckInAt" < ?)`,
    sqliteTime(now),
    license.id,
    sqliteTime(before),
  );
}

/**
 * A VALID online answer's check-in: recorded (recordCheckIn), and the answer's Standing with the
 * next deadline (the other Standing fields are the caller's to set).
 */
export async function checkIn(ctx: LicensingContext, license: ClientLicense, now: Date): Promise<Standing> {
  await recordCheckIn(ctx.db, ctx.provider, license, now);
  return { ...NO_STANDING, nextCheckInAt: nextCheckIn(license, now) };
}
