// Which events an endpoint receives: the types it subscribed to ("*": all but test events) and,
// for a group-scoped endpoint, only events of its groups (never catalogue-wide ones).
import type { EventType } from "./schemas.ts";

export interface EndpointScope {
  id: string;
  /** null: every type */
  types: ReadonlySet<string> | null;
  /** null: every group and catalogue-wide events */
  groupIds: readonly string[] | null;
}

export function parseEndpointScope(row: {
  id: string;
  events: string;
  groupIds: string | null;
}): EndpointScope {
  const types = parseStringArray(row.events);
  return {
    id: row.id,
    types: types.includes("*") ? null : new Set(types),
    groupIds: row.groupIds === null ? null : parseStringArray(row.groupIds),
  };
}

export function endpointWants(endpoint: EndpointScope, type: EventType, groupId: string | null): boolean {
  if (type === "webhook.test") return false;
  if (endpoint.types !== null && !endpoint.types.has(type)) return false;
  if (endpoint.groupIds === null) return true;
  return groupId !== null && endpoint.groupIds.includes(groupId);
}

function parseStringArray(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
