import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZEndpointIdInput, type TEndpointIdInput } from "./schemas.ts";
import { endpointGroupIds, findEndpointInScope } from "./select.ts";

/** Deletes an endpoint with its deliveries and their attempts (the events stay in the feed). */
export async function deleteWebhookEndpoint(
  ctx: DomainContext,
  input: TEndpointIdInput,
): Promise<{ id: string }> {
  requirePermission(ctx.actor, "webhook.write");
  const { endpointId } = parseInput(ZEndpointIdInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const endpoint = await findEndpointInScope(tx, ctx.actor, endpointId);
    const deliveries = await tx.webhookDelivery.count({ where: { endpointId } });
    await tx.webhookEndpoint.delete({ where: { id: endpointId }, select: { id: true } });
    audit({
      action: "webhook_endpoint.delete",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: { url: endpoint.url, deliveriesDeleted: deliveries },
      groupIds: endpointGroupIds(endpoint) ?? [],
    });
    return { id: endpointId };
  });
}
