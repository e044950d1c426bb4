// The event catalogue's names and versions (docs/events.md), shared with the browser: no server code.
import { z } from "zod";

/**
 * Every event type, with the version of its payload and what it means. A change to a payload that
 * could break a receiver (a field removed or retyped) bumps its version; fields are only added
 * within a version. docs/events.md documents each payload.
 */
export const EVENT_CATALOG = {
  "license.created": { version: 1, description: "a license was issued (also each license of a bulk issue)" },
  "license.updated": { version: 1, description: "a license's terms, entitlements or metadata changed" },
  "license.suspended": { version: 1, description: "a license was suspended" },
  "license.reinstated": { version: 1, description: "a suspended license was reinstated" },
  "license.revoked": { version: 1, description: "a license was revoked (for good)" },
  "license.renewed": { version: 1, description: "a license's expiry moved later" },
  "license.expiring_soon": {
    version: 1,
    description: "a license expires in 30, 7 or 1 days (once per license, threshold and expiry)",
  },
  "license.expired": { version: 1, description: "a license reached its expiry (once per expiry)" },
  "license.seat_limit_reached": {
    version: 1,
    description: "an activation took a license's last seat or machine (its limit is now reached)",
  },
  "session.started": { version: 1, description: "shipped software activated a seat (a new session)" },
  "session.ended": {
    version: 1,
    description: "a session ended: deactivated by the software or ended by an admin",
  },
  "session.reaped": {
    version: 1,
    description: "a session missed its heartbeats and was ended by the server",
  },
  "machine.bound": { version: 1, description: "a node-locked license bound a machine" },
  "machine.released": { version: 1, description: "an admin released a machine from a node-locked license" },
  "usage.quota_reached": {
    version: 1,
    description: "recorded usage of a metered feature reached its quota for the period",
  },
  "trial.started": {
    version: 1,
    description: "shipped software started a trial (a trial license was issued)",
  },
  "trial.converted": { version: 1, description: "a trial was converted into a paid license" },
  "trial.expired": { version: 1, description: "a trial license reached its end without being converted" },
  "offline_file.issued": { version: 1, description: "an offline license file (.lic) was checked out" },
  "policy.created": { version: 1, description: "a policy was created" },
  "policy.updated": {
    version: 1,
    description: "a policy's terms changed (and reached the licenses inheriting them)",
  },
  "policy.archived": { version: 1, description: "a policy was archived" },
  "webhook.test": { version: 1, description: "a test event sent from the admin console to one endpoint" },
} as const satisfies Record<string, { version: number; description: string }>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as [EventType, ...EventType[]];
export const ZEventType = z.enum(EVENT_TYPES);

/** Types an endpoint may subscribe to: every type but the test event (sent to one endpoint on demand). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== "webhook.test") as [
  EventType,
  ...EventType[],
];
