import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZEndpointIdInput, type TEndpointIdInput } from "./schemas.ts";
import { endpointGroupIds, findEndpointInScope } from "./select.ts";

/** The most failed deliveries one call queues again (call again for the rest). */
export const MAX_REDELIVER_PER_CALL = 10_000;
/** ids per UPDATE (well under the databases' limits on bound parameters) */
const CHUNK = 1000;

/**
 * Queues an endpoint's failed deliveries to be sent again now, oldest first, at most
 * MAX_REDELIVER_PER_CALL: how many were queued and how many failed ones remain.
 */
export async function redeliverFailedWebhooks(
  ctx: DomainContext,
  input: TEndpointIdInput,
): Promise<{ count: number; remaining: number }> {
  requirePermission(ctx.actor, "webhook.write");
  const { endpointId } = parseInput(ZEndpointIdInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const endpoint = await findEndpointInScope(tx, ctx.actor, endpointId);
    const failed = await tx.webhookDelivery.findMany({
      where: { endpointId, status: "failed" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: MAX_REDELIVER_PER_CALL,
      select: { id: true },
    });
    let count = 0;
    for (let i = 0; i < failed.length; i += CHUNK) {
      const ids = failed.slice(i, i + CHUNK).map((row) => row.id);
      const result = await tx.webhookDelivery.updateMany({
        where: { id: { in: ids }, status: "failed" },
        data: { status: "pending", nextAttemptAt: now, lockedUntil: null, completedAt: null },
      });
      count += result.count;
    }
    const remaining = await tx.webhookDelivery.count({ where: { endpointId, status: "failed" } });
    audit({
      action: "webhook_endpoint.redeliver",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: { url: endpoint.url, failedRedelivered: count, remaining },
      groupIds: endpointGroupIds(endpoint) ?? [],
    });
    return { count, remaining };
  });
}
