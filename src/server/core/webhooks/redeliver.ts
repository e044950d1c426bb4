import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDeliveryIdInput, type TDeliveryIdInput, type WebhookDeliveryDto } from "./schemas.ts";
import {
  endpointGroupIds,
  findDeliveryInScope,
  toWebhookDeliveryDto,
  webhookDeliverySelect,
} from "./select.ts";

/**
 * Queues a delivery (of any status) to be sent again now: pending, due now, unclaimed. Its
 * attempts keep counting; the receiver gets the same event id (webhook-id) again.
 */
export async function redeliverWebhook(
  ctx: DomainContext,
  input: TDeliveryIdInput,
): Promise<WebhookDeliveryDto> {
  requirePermission(ctx.actor, "webhook.write");
  const { deliveryId } = parseInput(ZDeliveryIdInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const before = await findDeliveryInScope(tx, ctx.actor, deliveryId);
    const row = await tx.webhookDelivery.update({
      where: { id: deliveryId },
      data: { status: "pending", nextAttemptAt: now, lockedUntil: null, completedAt: null },
      select: webhookDeliverySelect,
    });
    audit({
      action: "webhook_endpoint.redeliver",
      targetType: "webhook_endpoint",
      targetId: before.endpointId,
      summary: {
        deliveryId,
        eventId: before.eventId,
        eventType: before.event.type,
        previousStatus: before.status,
      },
      groupIds: endpointGroupIds(before.endpoint) ?? [],
    });
    return toWebhookDeliveryDto(row);
  });
}
