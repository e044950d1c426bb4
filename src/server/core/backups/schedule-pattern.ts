// Checking BACKUP_SCHEDULE, kept apart so the configuration can use it without the database.
import { Cron } from "croner";

/** Why a cron expression (five or six fields, UTC) is not usable, or null when it is. */
export function scheduleProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true, timezone: "UTC" }).stop();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
