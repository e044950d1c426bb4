// Input and output schemas of webhook endpoints, deliveries and the event feed, shared with the
// admin UI (free of server code). Operations live one per file beside this one.
import { z } from "zod";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES } from "../events/schemas.ts";
import { ZDescription, ZId, ZPagination, zQueryInt } from "../shared/schemas.ts";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** admin: an admin disabled it; failing: its deliveries failed for WEBHOOK_DISABLE_AFTER_HOURS */
export const DISABLED_REASONS = ["admin", "failing"] as const;

/** Whether `value` holds a control character (U+0000–U+001F, U+007F). */
const hasControlCharacter = (value: string) => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

/** An id that is stored or looked up: PostgreSQL text cannot hold U+0000 (the query would fail). */
const noNul = (value: string) => !value.includes("\u0000");
const NO_NUL = "must not contain NUL characters";

const ZWebhookId = ZId.refine((value) => !hasControlCharacter(value), "must not contain control characters");

/** An http(s) URL without credentials, at most 2048 characters (where it may point: target-guard.ts). */
export const ZWebhookUrl = z
  .string()
  .trim()
  .min(1, "is required")
  .max(2048, "must be at most 2048 characters")
  // the URL parser would drop tabs and newlines and encode NUL: the URL is stored as written
  .refine((value) => !hasControlCharacter(value), "must not contain control characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === ""
      );
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL without user name or password");

/** The types an endpoint wants: ["*"] (every type) or a list of types. */
export const ZEndpointEvents = z
  .array(z.union([z.literal("*"), z.enum(SUBSCRIBABLE_EVENT_TYPES)]))
  .min(1, "choose at least one event type, or * for all")
  .max(SUBSCRIBABLE_EVENT_TYPES.length + 1)
  .transform((types): typeof types => (types.includes("*") ? ["*"] : [...new Set(types)].sort()));

/**
 * Groups the endpoint receives events of. Left out: super admins get every group (and catalogue-
 * wide events such as policy changes), everyone else their own groups.
 */
export const ZEndpointGroupIds = z
  .array(ZWebhookId)
  .min(1, "name at least one group, or leave it out")
  .max(100);

export const ZCreateWebhookEndpointInput = z.object({
  url: ZWebhookUrl,
  description: ZDescription.refine(noNul, NO_NUL).default(""),
  events: ZEndpointEvents,
  groupIds: ZEndpointGroupIds.optional(),
  enabled: z.boolean().default(true),
});
export type TCreateWebhookEndpointInput = z.input<typeof ZCreateWebhookEndpointInput>;

export const ZUpdateWebhookEndpointInput = z.object({
  endpointId: ZWebhookId,
  url: ZWebhookUrl.optional(),
  description: ZDescription.refine(noNul, NO_NUL).optional(),
  events: ZEndpointEvents.optional(),
  /** null: every group (super admins only) */
  groupIds: ZEndpointGroupIds.nullable().optional(),
  /** false disables it (reason admin); true enables it again and clears a failing state */
  enabled: z.boolean().optional(),
});
export type TUpdateWebhookEndpointInput = z.input<typeof ZUpdateWebhookEndpointInput>;

export const ZEndpointIdInput = z.object({ endpointId: ZWebhookId });
export type TEndpointIdInput = z.input<typeof ZEndpointIdInput>;

export const ZRotateWebhookSecretInput = z.object({
  endpointId: ZWebhookId,
  /** how long the old secret keeps signing beside the new one (deliveries carry both signatures) */
  graceHours: zQueryInt(0, 168, "hour").default(24),
});
export type TRotateWebhookSecretInput = z.input<typeof ZRotateWebhookSecretInput>;

export const ZListWebhookEndpointsInput = z.object({ ...ZPagination });
export type TListWebhookEndpointsInput = z.input<typeof ZListWebhookEndpointsInput>;

export const ZListDeliveriesInput = z.object({
  endpointId: ZWebhookId,
  status: z.enum(DELIVERY_STATUSES).optional(),
  ...ZPagination,
});
export type TListDeliveriesInput = z.input<typeof ZListDeliveriesInput>;

export const ZDeliveryIdInput = z.object({ deliveryId: ZWebhookId });
export type TDeliveryIdInput = z.input<typeof ZDeliveryIdInput>;

/** The feed: events after a cursor (the `nextCursor` of the previous page; left out: from the start). */
export const ZListEventsInput = z.object({
  after: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, "must be a cursor returned by this feed (digits)")
    .optional(),
  limit: zQueryInt(1, 500).default(100),
  type: z.enum(EVENT_TYPES).optional(),
  licenseId: ZWebhookId.optional(),
});
export type TListEventsInput = z.input<typeof ZListEventsInput>;

// ---- outputs

export const ZWebhookEndpointDto = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.enum(DISABLED_REASONS).nullable(),
  /** null: every group */
  groupIds: z.array(z.string()).nullable(),
  /** the old secret still signs until then (after a rotation) */
  previousSecretUntil: z.date().nullable(),
  failingSince: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  /** deliveries by status */
  counts: z.object({ pending: z.number().int(), succeeded: z.number().int(), failed: z.number().int() }),
});
export type WebhookEndpointDto = z.infer<typeof ZWebhookEndpointDto>;

/** Returned once, on creation and rotation: the secret is never shown again. */
export const ZWebhookEndpointWithSecretDto = z.object({
  endpoint: ZWebhookEndpointDto,
  /** "whsec_..." (Standard Webhooks): give it to the receiver's verifier */
  secret: z.string(),
});

export const ZWebhookAttemptDto = z.object({
  id: z.string(),
  attempt: z.number().int(),
  at: z.date(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  responseExcerpt: z.string(),
  error: z.string().nullable(),
});
export type WebhookAttemptDto = z.infer<typeof ZWebhookAttemptDto>;

export const ZWebhookDeliveryDto = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.date().nullable(),
  lastAttemptAt: z.date().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** the last attempt's latency and response excerpt */
  lastLatencyMs: z.number().int().nullable(),
  lastResponseExcerpt: z.string().nullable(),
  createdAt: z.date(),
  completedAt: z.date().nullable(),
});
export type WebhookDeliveryDto = z.infer<typeof ZWebhookDeliveryDto>;

export const ZEventDto = z.object({
  id: z.string(),
  /** the feed position, also `sequence` in webhook payloads: events are in this order */
  sequence: z.number().int(),
  type: z.string(),
  version: z.number().int(),
  timestamp: z.date(),
  licenseId: z.string().nullable(),
  groupId: z.string().nullable(),
  data: z.record(z.string(), z.json()),
});
export type EventDto = z.infer<typeof ZEventDto>;

export const ZEventPageDto = z.object({
  events: z.array(ZEventDto),
  /** pass as `after` for the next page; the same cursor when there is nothing newer yet */
  nextCursor: z.string(),
  /** more events follow right away */
  hasMore: z.boolean(),
});

/** A test event sent to one endpoint: the event (not in the feed) and its one delivery. */
export const ZWebhookTestResultDto = z.object({ eventId: z.string(), deliveryId: z.string() });

/** Failed deliveries queued again (at most 10 000 per call; `remaining` are still failed). */
export const ZRedeliverFailedResultDto = z.object({ count: z.number().int(), remaining: z.number().int() });

export const ZDeletedWebhookEndpointDto = z.object({ id: z.string() });
