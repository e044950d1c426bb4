// Webhook endpoints and deliveries as the admin API shows them: explicit selects, row → DTO
// mapping (the JSON columns parsed), counts of deliveries by status, and who may see which
// endpoint (group scope).
import type { Db, Prisma, Tx } from "../../db/client.ts";
import type { Actor } from "../context.ts";
import { DomainError, notFound } from "../errors.ts";
import {
  DELIVERY_STATUSES,
  DISABLED_REASONS,
  type DeliveryStatus,
  type WebhookAttemptDto,
  type WebhookDeliveryDto,
  type WebhookEndpointDto,
} from "./schemas.ts";

/** At most this many endpoints per server (each event fans out to every endpoint that wants it). */
export const MAX_WEBHOOK_ENDPOINTS = 50;

export const webhookEndpointSelect = {
  id: true,
  url: true,
  description: true,
  events: true,
  enabled: true,
  disabledReason: true,
  groupIds: true,
  previousSecretUntil: true,
  failingSince: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.WebhookEndpointSelect;

export type WebhookEndpointRow = Prisma.WebhookEndpointGetPayload<{ select: typeof webhookEndpointSelect }>;

/** A JSON array of strings as stored; anything else reads as []. */
export function parseStringList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** The endpoint's groups: null = every group (and catalogue-wide events). */
export function endpointGroupIds(row: { groupIds: string | null }): string[] | null {
  return row.groupIds === null ? null : parseStringList(row.groupIds);
}

/**
 * Whether the actor may see (and, with webhook.write, change) an endpoint: super admins every
 * one; everyone else only endpoints whose groups are all theirs (never an all-groups endpoint).
 */
export function endpointInScope(actor: Actor, groupIds: readonly string[] | null): boolean {
  if (actor.role === "super_admin") return true;
  return groupIds !== null && groupIds.every((id) => actor.groupIds.includes(id));
}

/**
 * The groups an endpoint gets from what the caller gave: left out, super admins every group
 * (null) and everyone else their own groups; null only for super admins; a list only of the
 * caller's groups (FORBIDDEN naming the field) and of groups that exist.
 */
export async function resolveEndpointGroups(
  tx: Tx,
  actor: Actor,
  given: readonly string[] | null | undefined,
): Promise<string[] | null> {
  const superAdmin = actor.role === "super_admin";
  if (given === undefined) {
    if (superAdmin) return null;
    if (actor.groupIds.length === 0)
      throw new DomainError("FORBIDDEN", "you are not a member of any group", [
        { path: "groupIds", message: "you have no group to receive events of" },
      ]);
    return [...new Set(actor.groupIds)].sort();
  }
  if (given === null) {
    if (superAdmin) return null;
    throw new DomainError("FORBIDDEN", "only super admins may send every group's events to an endpoint", [
      { path: "groupIds", message: "name your groups instead" },
    ]);
  }
  const groupIds = [...new Set(given)].sort();
  if (!superAdmin) {
    given.forEach((groupId, index) => {
      if (!actor.groupIds.includes(groupId))
        throw new DomainError("FORBIDDEN", `you are not a member of group ${groupId}`, [
          { path: `groupIds.${index}`, message: "not one of your groups" },
        ]);
    });
  }
  const found = await tx.group.findMany({ where: { id: { in: groupIds } }, select: { id: true } });
  const missing = groupIds.find((id) => !found.some((row) => row.id === id));
  if (missing) throw notFound("group", missing);
  return groupIds;
}

type Counts = WebhookEndpointDto["counts"];
const zeroCounts = (): Counts => ({ pending: 0, succeeded: 0, failed: 0 });

/** Deliveries by status for each endpoint. */
export async function deliveryCounts(db: Db | Tx, endpointIds: string[]): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>(endpointIds.map((id) => [id, zeroCounts()]));
  if (endpointIds.length === 0) return out;
  const groups = await db.webhookDelivery.groupBy({
    by: ["endpointId", "status"],
    where: { endpointId: { in: endpointIds } },
    _count: { _all: true },
    orderBy: [{ endpointId: "asc" }, { status: "asc" }],
  });
  for (const group of groups) {
    const counts = out.get(group.endpointId);
    if (counts && (DELIVERY_STATUSES as readonly string[]).includes(group.status))
      counts[group.status as DeliveryStatus] = group._count._all;
  }
  return out;
}

export function toWebhookEndpointDto(
  row: WebhookEndpointRow,
  counts: Counts = zeroCounts(),
): WebhookEndpointDto {
  const reason = row.disabledReason;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: parseStringList(row.events),
    enabled: row.enabled,
    disabledReason:
      reason !== null && (DISABLED_REASONS as readonly string[]).includes(reason)
        ? (reason as (typeof DISABLED_REASONS)[number])
        : null,
    groupIds: endpointGroupIds(row),
    previousSecretUntil: row.previousSecretUntil,
    failingSince: row.failingSince,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    counts,
  };
}

/** One endpoint with its counts. */
export async function endpointDto(db: Db | Tx, row: WebhookEndpointRow): Promise<WebhookEndpointDto> {
  const counts = await deliveryCounts(db, [row.id]);
  return toWebhookEndpointDto(row, counts.get(row.id));
}

/**
 * The endpoint if the actor may see it; NOT_FOUND both when it does not exist and when it is
 * outside the actor's groups (so ids of other groups' endpoints do not leak).
 */
export async function findEndpointInScope(
  db: Db | Tx,
  actor: Actor,
  endpointId: string,
): Promise<WebhookEndpointRow> {
  const row = await db.webhookEndpoint.findUnique({
    where: { id: endpointId },
    select: webhookEndpointSelect,
  });
  if (!row || !endpointInScope(actor, endpointGroupIds(row))) throw notFound("webhook endpoint", endpointId);
  return row;
}

export const webhookDeliverySelect = {
  id: true,
  endpointId: true,
  eventId: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  createdAt: true,
  completedAt: true,
  event: { select: { type: true } },
  log: {
    select: { latencyMs: true, responseExcerpt: true },
    orderBy: [{ at: "desc" }, { attempt: "desc" }],
    take: 1,
  },
} satisfies Prisma.WebhookDeliverySelect;

type WebhookDeliveryRow = Prisma.WebhookDeliveryGetPayload<{ select: typeof webhookDeliverySelect }>;

export function toWebhookDeliveryDto(row: WebhookDeliveryRow): WebhookDeliveryDto {
  const last = row.log[0];
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.event.type,
    status: (DELIVERY_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as DeliveryStatus)
      : "pending",
    attempts: row.attempts,
    // a finished delivery is not due again
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastLatencyMs: last?.latencyMs ?? null,
    lastResponseExcerpt: last?.responseExcerpt ?? null,
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}

export const webhookAttemptSelect = {
  id: true,
  attempt: true,
  at: true,
  statusCode: true,
  latencyMs: true,
  responseExcerpt: true,
  error: true,
} satisfies Prisma.WebhookAttemptSelect;

export function toWebhookAttemptDto(
  row: Prisma.WebhookAttemptGetPayload<{ select: typeof webhookAttemptSelect }>,
): WebhookAttemptDto {
  return { ...row };
}

/**
 * The delivery if the actor may see its endpoint; NOT_FOUND otherwise (as for endpoints).
 */
export async function findDeliveryInScope(
  db: Db | Tx,
  actor: Actor,
  deliveryId: string,
): Promise<WebhookDeliveryRow & { endpoint: { groupIds: string | null } }> {
  const row = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    select: { ...webhookDeliverySelect, endpoint: { select: { groupIds: true } } },
  });
  if (!row || !endpointInScope(actor, endpointGroupIds(row.endpoint)))
    throw notFound("webhook delivery", deliveryId);
  return row;
}
