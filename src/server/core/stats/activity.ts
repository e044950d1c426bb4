// Hourly activity of the licensing API (validations, refusals, live sessions) for the dashboard,
// and each license's validations for its page. Counting happens in memory per process
// (ActivityCounter) so the validation path never writes; flushes add to the hour's row
// atomically, so several processes and instances add up.
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../logger.ts";
import { normalizeLicenseKey } from "../licenses/license-key.ts";
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

/** Adds one license's validations to its hour (the license page's chart). */
export async function addLicenseActivity(
  db: Db,
  licenseId: string,
  at: Date,
  counts: { validations: number; refused: number },
): Promise<void> {
  const hour = hourStart(at);
  await db.licenseActivityBucket.upsert({
    where: { licenseId_at: { licenseId, at: hour } },
    create: { licenseId, at: hour, validations: counts.validations, refused: counts.refused },
    update: { validations: { increment: counts.validations }, refused: { increment: counts.refused } },
    select: { at: true },
  });
}

/**
 * Distinct license keys counted between two flushes: the keys beyond are not counted per
 * license (a flood of made-up keys cannot grow the memory; the dashboard's totals still count).
 */
export const MAX_KEYS_PER_FLUSH = 10_000;

type Counts = { validations: number; refused: number };

function add(map: Map<string, Counts>, key: string, counts: Counts): void {
  const entry = map.get(key) ?? { validations: 0, refused: 0 };
  entry.validations += counts.validations;
  entry.refused += counts.refused;
  map.set(key, entry);
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
  /** per license key and hour: `${hour} ${key}` */
  private perKey = new Map<string, Counts>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** One answered validation; `licenseKey`: the key it named (counted for that license, if one has it). */
  record(at: Date, valid: boolean, licenseKey?: string | null): void {
    const key = hourStart(at).getTime();
    const entry = this.pending.get(key) ?? { validations: 0, refused: 0 };
    entry.validations += 1;
    if (!valid) entry.refused += 1;
    this.pending.set(key, entry);
    // the key as licenses store it: the request's spelling (case, dashes, whitespace padding of
    // any length) would miss the license at the flush and let padded keys grow the memory
    const normalized = licenseKey ? normalizeLicenseKey(licenseKey) : null;
    if (normalized) {
      const keyed = `${key} ${normalized}`;
      if (this.perKey.has(keyed) || this.perKey.size < MAX_KEYS_PER_FLUSH)
        add(this.perKey, keyed, { validations: 1, refused: valid ? 0 : 1 });
    }
  }

  async flush(): Promise<void> {
    await this.flushTotals();
    await this.flushPerLicense();
  }

  /** Adds the per-key counts to their licenses' hours (keys no license has are dropped). */
  private async flushPerLicense(): Promise<void> {
    const batch = this.perKey;
    this.perKey = new Map();
    if (batch.size === 0) return;
    const split = [...batch].map(([keyed, counts]) => {
      const space = keyed.indexOf(" ");
      return { hour: Number(keyed.slice(0, space)), key: keyed.slice(space + 1), keyed, counts };
    });
    let ids: Map<string, string>;
    try {
      const licenses = await this.db.license.findMany({
        where: { key: { in: [...new Set(split.map((s) => s.key))] } },
        select: { id: true, key: true },
      });
      ids = new Map(licenses.map((l) => [l.key, l.id]));
    } catch (error) {
      for (const s of split) add(this.perKey, s.keyed, s.counts);
      this.logger.warn({ err: error }, "could not store per-license activity counts; will retry");
      return;
    }
    for (const s of split) {
      const licenseId = ids.get(s.key);
      if (!licenseId) continue;
      try {
        await addLicenseActivity(this.db, licenseId, new Date(s.hour), s.counts);
      } catch (error) {
        // kept for the next flush (a license deleted meanwhile is dropped then)
        add(this.perKey, s.keyed, s.counts);
        this.logger.warn({ err: error }, "could not store per-license activity counts; will retry");
      }
    }
  }

  private async flushTotals(): Promise<void> {
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
