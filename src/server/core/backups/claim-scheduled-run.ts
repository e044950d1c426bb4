// Several instances sharing one database may all run the backup schedule (each sidecar does when
// BACKUP_SCHEDULE is set); one of them takes each scheduled backup. The claim is a compare-and-set
// on a Setting row, atomic on both providers, so it needs no lock service.
import type { Db } from "../../db/client.ts";
import { toDomainError } from "../errors.ts";

const KEY = "backup.schedule.lastRun";

/**
 * Claims the scheduled run at `slot` for this instance: true when no instance has claimed a run
 * later than half an interval before it. The half interval absorbs clock skew between instances
 * (their cron fires at "the same" second by their own clocks) without ever skipping a real run.
 */
export async function claimScheduledRun(db: Db, slot: Date, intervalMs: number): Promise<boolean> {
  const value = JSON.stringify(slot.toISOString());
  // ISO timestamps in one format compare as strings, so the database can compare the stored value
  const threshold = JSON.stringify(new Date(slot.getTime() - intervalMs / 2).toISOString());
  const { count } = await db.setting.updateMany({
    where: { key: KEY, value: { lte: threshold } },
    data: { value },
  });
  if (count === 1) return true;
  try {
    await db.setting.create({ data: { key: KEY, value }, select: { key: true } });
    return true;
  } catch (error) {
    // the row exists: another instance claimed this run (or a later one)
    if (toDomainError(error).code === "CONFLICT") return false;
    throw error;
  }
}
