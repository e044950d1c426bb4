import { randomBytes } from "node:crypto";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZEndpointIdInput, type TEndpointIdInput } from "./schemas.ts";
import { endpointGroupIds, findEndpointInScope } from "./select.ts";

/**
 * Sends a `webhook.test` event to this endpoint only (no other endpoint gets it and it is not in
 * the feed): one pending delivery, signed and retried like any other.
 */
export async function sendWebhookTestEvent(
  ctx: DomainContext,
  input: TEndpointIdInput,
): Promise<{ eventId: string; deliveryId: string }> {
  requirePermission(ctx.actor, "webhook.write");
  const { endpointId } = parseInput(ZEndpointIdInput, input);
  // the event is written at the end of the change: this reference finds it afterwards
  const reference = randomBytes(8).toString("hex");
  await mutate(ctx, async ({ tx, audit, emit }) => {
    const endpoint = await findEndpointInScope(tx, ctx.actor, endpointId);
    if (!endpoint.enabled) throw failedPrecondition("the endpoint is disabled: enable it first");
    emit({
      type: "webhook.test",
      data: {
        endpointId,
        message: `a test event sent from the license server's admin console (test ${reference})`,
      },
      groupId: null,
      onlyEndpointId: endpointId,
    });
    audit({
      action: "webhook_endpoint.test",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: { url: endpoint.url, reference },
      groupIds: endpointGroupIds(endpoint) ?? [],
    });
  });
  const delivery = await ctx.db.webhookDelivery.findFirst({
    where: { endpointId, event: { type: "webhook.test", data: { contains: `(test ${reference})` } } },
    select: { id: true, eventId: true },
  });
  // disabled or deleted by someone else while the change ran: the event found no endpoint
  if (!delivery) throw failedPrecondition("the endpoint was disabled or deleted meanwhile: nothing was sent");
  return { eventId: delivery.eventId, deliveryId: delivery.id };
}
