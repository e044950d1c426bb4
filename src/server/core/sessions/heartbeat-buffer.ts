// Heartbeats are the licensing API's most frequent write. Each process keeps the latest deadline
// per session in memory and writes them all in one statement every `flushMs` (default 1 s).
//
// What a crash can lose: the deadline extensions of at most the last flush interval. A session
// whose extension was lost keeps its previous deadline, which is still at least one heartbeat
// interval minus one second away plus the tolerance (default 60 s); the client's next heartbeat
// extends it again. No seat decision is buffered: activations, deactivations and ends are written
// at once, and a seat count flushes this process's buffer first.
import type { Db } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import { sqliteTime } from "../../db/fast-reads.ts";
import type { Logger } from "../../logger.ts";

/** Rows per UPDATE statement (3 parameters each; far below both databases' limits). */
const CHUNK = 500;

export class HeartbeatBuffer {
  private pending = new Map<string, { at: Date; deadline: Date }>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;
  /** for tests and logs: how many flushes wrote something */
  flushes = 0;

  constructor(
    private readonly db: Db,
    private readonly provider: DbProvider,
    private readonly logger: Logger,
    flushMs = 1000,
  ) {
    if (flushMs > 0) {
      this.timer = setInterval(() => {
        void this.flush();
      }, flushMs);
      this.timer.unref();
    }
  }

  /** Records a heartbeat; the later deadline wins. */
  extend(sessionId: string, at: Date, deadline: Date): void {
    const current = this.pending.get(sessionId);
    if (!current || current.deadline < deadline) this.pending.set(sessionId, { at, deadline });
  }

  /** The deadline waiting to be written for a session, if any. */
  pendingDeadline(sessionId: string): Date | undefined {
    return this.pending.get(sessionId)?.deadline;
  }

  /** Writes what is pending (one flush at a time; callers wait for the one that covers them). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.entries()];
    this.pending = new Map();
    try {
      for (let i = 0; i < batch.length; i += CHUNK) await this.update(batch.slice(i, i + CHUNK));
      this.flushes += 1;
    } catch (error) {
      // keep them for the next flush, unless a newer heartbeat came meanwhile
      for (const [id, entry] of batch) if (!this.pending.has(id)) this.pending.set(id, entry);
      this.logger.warn({ err: error, sessions: batch.length }, "could not write heartbeats; will retry");
    }
  }

  /** One UPDATE … FROM (VALUES …) for the chunk; sessions ended meanwhile stay ended. */
  private async update(rows: [string, { at: Date; deadline: Date }][]): Promise<void> {
    if (this.provider === "postgresql") {
      const values = rows.map(
        (_, i) => `($${i * 3 + 1}, $${i * 3 + 2}::timestamp(3), $${i * 3 + 3}::timestamp(3))`,
      );
      const params = rows.flatMap(([id, e]) => [id, e.at.toISOString(), e.deadline.toISOString()]);
      await this.db.$executeRawUnsafe(
        `UPDATE "Session" AS s SET "lastHeartbeatAt" = v.at, "deadlineAt" = v.deadline
         FROM (VALUES ${values.join(", ")}) AS v(id, at, deadline)
         WHERE s."id" = v.id AND s."endedAt" IS NULL AND s."deadlineAt" < v.deadline`,
        ...params,
      );
      return;
    }
    const values = rows.map(() => "(?, ?, ?)");
    const params = rows.flatMap(([id, e]) => [id, sqliteTime(e.at), sqliteTime(e.deadline)]);
    await this.db.$executeRawUnsafe(
      `WITH v(id, at, deadline) AS (VALUES ${values.join(", ")})
       UPDATE "Session" SET "lastHeartbeatAt" = v.at, "deadlineAt" = v.deadline
       FROM v WHERE "Session"."id" = v.id AND "Session"."endedAt" IS NULL AND "Session"."deadlineAt" < v.deadline`,
      ...params,
    );
  }
}
