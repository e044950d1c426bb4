"use client";
// How webhook endpoints and deliveries read in the UI: an endpoint's state (enabled, or disabled
// with its reason), the events it wants, its groups, and a delivery's status ("retrying" for a
// pending delivery whose attempts failed so far).
import { Chip } from "@heroui/react";
import type { RouterOutputs } from "@/hooks/trpc.ts";

export type WebhookEndpoint = RouterOutputs["webhooks"]["get"];
export type WebhookDelivery = RouterOutputs["webhooks"]["deliveries"]["items"][number];
export type WebhookAttempt = RouterOutputs["webhooks"]["attempts"][number];

/** The subscription ["*"] */
export const ALL_EVENTS = "*";

export function eventsLabel(events: readonly string[]): string {
  return events.includes(ALL_EVENTS) ? "all event types" : events.join(", ");
}

/** An endpoint's groups by name; null: every group (super admins' endpoints only). */
export function groupsLabel(groupIds: readonly string[] | null, names: Map<string, string>): string {
  if (groupIds === null) return "every group";
  return groupIds.map((id) => names.get(id) ?? id).join(", ");
}

export function EndpointStateChip({
  endpoint,
}: {
  endpoint: Pick<WebhookEndpoint, "enabled" | "disabledReason">;
}) {
  const label = endpoint.enabled
    ? "enabled"
    : endpoint.disabledReason === "failing"
      ? "disabled: failing"
      : "disabled by an admin";
  return (
    <Chip
      size="sm"
      variant="soft"
      color={endpoint.enabled ? "success" : endpoint.disabledReason === "failing" ? "danger" : "default"}
      data-testid="webhook-endpoint-state"
      data-state={endpoint.enabled ? "enabled" : `disabled-${endpoint.disabledReason ?? "admin"}`}
    >
      {label}
    </Chip>
  );
}

/** pending (not tried yet), retrying (pending after failed attempts), succeeded, failed (gave up). */
export function deliveryState(delivery: Pick<WebhookDelivery, "status" | "attempts">): string {
  return delivery.status === "pending" && delivery.attempts > 0 ? "retrying" : delivery.status;
}

const DELIVERY_COLORS: Record<string, "success" | "warning" | "danger" | "default"> = {
  pending: "default",
  retrying: "warning",
  succeeded: "success",
  failed: "danger",
};

export function DeliveryStatusChip({ delivery }: { delivery: Pick<WebhookDelivery, "status" | "attempts"> }) {
  const state = deliveryState(delivery);
  return (
    <Chip size="sm" variant="soft" color={DELIVERY_COLORS[state] ?? "default"} data-status={state}>
      {state}
    </Chip>
  );
}

/** Deliveries by status, as the list and the detail page show them. */
export function DeliveryCounts({ counts }: { counts: WebhookEndpoint["counts"] }) {
  return (
    <span className="flex flex-wrap gap-x-3 gap-y-1 text-sm" data-testid="webhook-delivery-counts">
      <span data-count="succeeded">
        <span className="text-success">{counts.succeeded}</span> succeeded
      </span>
      <span data-count="pending">
        <span className="text-muted">{counts.pending}</span> pending
      </span>
      <span data-count="failed">
        <span className={counts.failed > 0 ? "text-danger" : "text-muted"}>{counts.failed}</span> failed
      </span>
    </span>
  );
}
