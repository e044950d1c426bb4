import type { Tx } from "../../db/client.ts";
import { writeAuditEvent, type AuditEntry } from "../audit/write-audit-event.ts";
import type { DomainContext } from "../context.ts";
import { toDomainError } from "../errors.ts";
import { eventWriteObservers, writeEvents, type EventEntry } from "../events/write-events.ts";

/**
 * How long a mutation waits for its transaction to start (a free connection; on SQLite, the
 * adapter's queue) before P2028, answered UNAVAILABLE. Seat decisions lock the license row, so a
 * burst of activations on one license runs one at a time: 200 at once took ~12 s on a loaded
 * 2-core machine (test/api/seat-race-load.test.ts), and Prisma's 2 s default (then our 10 s)
 * failed the tail of a legitimate burst. It stays below the sidecar's 15 s limit per call.
 */
export const TRANSACTION_MAX_WAIT_MS = 12_000;
/** The longest a started transaction may run (lock waits included) before P2028. */
export const TRANSACTION_TIMEOUT_MS = 20_000;

export interface MutationScope {
  tx: Tx;
  now: Date;
  /** records an audit event; written at the end of the transaction, in it */
  audit: (entry: AuditEntry) => void;
  /**
   * records an event for integrators (docs/events.md): written at the end of the transaction, in
   * it, after the audit records (the transactional outbox)
   */
  emit: (entry: EventEntry) => void;
}

/**
 * Runs a change in one transaction together with its audit records and its events: all are
 * written or none.
 * Database errors that express a rule (unique, foreign key) come out as DomainErrors, waits that
 * ran out (connection, lock, SQLite busy) as UNAVAILABLE.
 */
export async function mutate<T>(
  ctx: DomainContext,
  change: (scope: MutationScope) => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const now = ctx.clock.now();
  let queued = 0;
  try {
    const committed = await ctx.db.$transaction(
      async (tx) => {
        // SQLite: take the write lock first, as BEGIN IMMEDIATE would. A transaction that reads
        // and then writes fails with SQLITE_BUSY (not retried) when another process (the web app
        // and the sidecar share the file) wrote in between; a writer from the start waits instead.
        if (ctx.provider === "sqlite")
          await tx.$executeRawUnsafe(`UPDATE "Setting" SET "key" = "key" WHERE 0`);
        const entries: AuditEntry[] = [];
        const events: EventEntry[] = [];
        const result = await change({
          tx,
          now,
          audit: (entry) => entries.push(entry),
          emit: (entry) => events.push(entry),
        });
        for (const entry of entries) {
          await writeAuditEvent(
            tx,
            { provider: ctx.provider, actor: ctx.actor, ip: ctx.ip, now, encryptionKey: ctx.encryptionKey },
            entry,
          );
        }
        queued = await writeEvents(tx, { provider: ctx.provider, now }, events);
        return result;
      },
      { maxWait: TRANSACTION_MAX_WAIT_MS, timeout: options.timeoutMs ?? TRANSACTION_TIMEOUT_MS },
    );
    // committed: the webhook worker of this process can claim the new deliveries now
    if (queued > 0) for (const observer of eventWriteObservers) observer();
    return committed;
  } catch (error) {
    const domainError = toDomainError(error);
    if (domainError.code === "INTERNAL") ctx.logger.error({ err: error }, "mutation failed");
    throw domainError;
  }
}

/** Field-by-field changes between two snapshots, for audit summaries. */
export function changes<T extends Record<string, unknown>>(
  before: T,
  after: Partial<T>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after)) {
    const from = before[key];
    const to = after[key];
    if (to === undefined) continue;
    const same =
      from instanceof Date && to instanceof Date
        ? from.getTime() === to.getTime()
        : JSON.stringify(from) === JSON.stringify(to);
    if (!same) out[key] = { from, to };
  }
  return out;
}
