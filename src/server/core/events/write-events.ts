// Writes a change's events inside its transaction (the transactional outbox): each gets the next
// feed position and one pending delivery per enabled endpoint that wants it. Called by mutate().
import { randomUUID } from "node:crypto";
import type { Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import { AUDIT_CHAIN_LOCK } from "../audit/write-audit-event.ts";
import { endpointWants, parseEndpointScope } from "./endpoint-match.ts";
import type { EventType } from "./schemas.ts";
import { EVENT_CATALOG } from "./schemas.ts";

export interface EventEntry {
  type: EventType;
  /** the event's data: docs/events.md documents each type's */
  data: Record<string, unknown>;
  /** the license the event is about: its customer's group scopes the event */
  licenseId?: string | null;
  /**
   * The event's group when it is not (or not only) a license's: a policy change has none (catalogue-
   * wide); given, it wins over the license's.
   */
  groupId?: string | null;
  /** deliver only to this endpoint (test events), not to every endpoint that wants the type */
  onlyEndpointId?: string;
}

/** Called after a change that queued deliveries committed (mutate()): wakes this process's webhook worker. */
export const eventWriteObservers = new Set<() => void>();

/** A new event id: the Standard Webhooks `webhook-id`. */
export function newEventId(): string {
  return `evt_${randomUUID().replaceAll("-", "")}`;
}

/** Writes the events and their deliveries; resolves to how many deliveries were queued. */
export async function writeEvents(
  tx: Tx,
  scope: { provider: DbProvider; now: Date },
  entries: readonly EventEntry[],
): Promise<number> {
  if (entries.length === 0) return 0;
  // groups first, outside the lock
  const groupOf = new Map<string, string | null>();
  for (const entry of entries) {
    if (entry.groupId !== undefined || !entry.licenseId || groupOf.has(entry.licenseId)) continue;
    const row = await tx.license.findUnique({
      where: { id: entry.licenseId },
      select: { customer: { select: { groupId: true } } },
    });
    groupOf.set(entry.licenseId, row?.customer.groupId ?? null);
  }
  const endpoints = (
    await tx.webhookEndpoint.findMany({
      where: { enabled: true },
      select: { id: true, events: true, groupIds: true },
    })
  ).map(parseEndpointScope);
  // the feed's order is the commit order: positions are taken under the lock that serializes the
  // audit chain (held until commit; re-entrant when the audit records of the change took it)
  if (scope.provider === "postgresql") {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  }
  const last = await tx.event.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
  let seq = last?.seq ?? 0;
  const deliveries: { endpointId: string; eventId: string; nextAttemptAt: Date; createdAt: Date }[] = [];
  const events = entries.map((entry) => {
    const groupId =
      entry.groupId !== undefined
        ? entry.groupId
        : entry.licenseId
          ? (groupOf.get(entry.licenseId) ?? null)
          : null;
    const id = newEventId();
    seq += 1;
    for (const endpoint of endpoints) {
      const wanted = entry.onlyEndpointId
        ? endpoint.id === entry.onlyEndpointId
        : endpointWants(endpoint, entry.type, groupId);
      if (wanted)
        deliveries.push({
          endpointId: endpoint.id,
          eventId: id,
          nextAttemptAt: scope.now,
          createdAt: scope.now,
        });
    }
    return {
      id,
      seq,
      type: entry.type,
      version: EVENT_CATALOG[entry.type].version,
      at: scope.now,
      licenseId: entry.licenseId ?? null,
      groupId,
      data: JSON.stringify(entry.data),
    };
  });
  await tx.event.createMany({ data: events });
  if (deliveries.length > 0) await tx.webhookDelivery.createMany({ data: deliveries });
  return deliveries.length;
}
