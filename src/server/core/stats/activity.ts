// Hourly activity of the licensing API (validations, refusals, live sessions) for the dashboard.
// Counting happens in memory per process (ActivityCounter) so the validation path never writes;
// flushes add to the hour's row atomically, so several processes and instances add up.
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../logger.ts";
import { seatHolderWhere } from "../sessions/session-rules.ts";

export function hourStart(at: Date): Date {
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}

export async function addActivity(
  db: Db,
  at: Date,
  counts: { validations: number; refused: number },
): Promise<void> {
  const hour = hourStart(at);
  await db.activityBucket.upsert({
    where: { at: hour },
    create: { at: hour, validations: counts.validations, refused: counts.refused },
    update: { validations: { increment: counts.validations }, refused: { increment: counts.refused } },
    select: { at: true },
  });
}

/** Records how many sessions hold a seat now (the hour keeps its last sample). */
export async function sampleActiveSessions(db: Db, now: Date, toleranceSeconds: number): Promise<number> {
  const live = await db.session.count({ where: seatHolderWhere(now, toleranceSeconds) });
  const hour = hourStart(now);
  await db.activityBucket.upsert({
    where: { at: hour },
    create: { at: hour, activeSessions: live },
    update: { activeSessions: live },
    select: { at: true },
  });
  return live;
}

/**
 * Validations answered by this process since the last flush, per hour. A crash loses at most the
 * unflushed 10 seconds of these counts (they feed charts, never a licensing decision).
 */
export class ActivityCounter {
  private pending = new Map<number, { validations: number; refused: number }>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  record(at: Date, valid: boolean): void {
    const key = hourStart(at).getTime();
    const entry = this.pending.get(key) ?? { validations: 0, refused: 0 };
    entry.validations += 1;
    if (!valid) entry.refused += 1;
    this.pending.set(key, entry);
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    for (const [hour, counts] of batch) {
      try {
        await addActivity(this.db, new Date(hour), counts);
      } catch (error) {
        // keep the counts for the next flush
        const entry = this.pending.get(hour) ?? { validations: 0, refused: 0 };
        entry.validations += counts.validations;
        entry.refused += counts.refused;
        this.pending.set(hour, entry);
        this.logger.warn({ err: error }, "could not store activity counts; will retry");
      }
    }
  }
}
