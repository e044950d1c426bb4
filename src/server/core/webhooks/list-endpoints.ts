import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import type { Page } from "../shared/schemas.ts";
import {
  ZListWebhookEndpointsInput,
  type TListWebhookEndpointsInput,
  type WebhookEndpointDto,
} from "./schemas.ts";
import {
  deliveryCounts,
  endpointGroupIds,
  endpointInScope,
  MAX_WEBHOOK_ENDPOINTS,
  toWebhookEndpointDto,
  webhookEndpointSelect,
} from "./select.ts";

/**
 * The endpoints the caller may see, newest first, with their deliveries by status. A server has
 * at most MAX_WEBHOOK_ENDPOINTS, so the group scope (a JSON column) is applied to all of them.
 */
export async function listWebhookEndpoints(
  ctx: DomainContext,
  input: TListWebhookEndpointsInput,
): Promise<Page<WebhookEndpointDto>> {
  requirePermission(ctx.actor, "webhook.read");
  const { page, pageSize } = parseInput(ZListWebhookEndpointsInput, input);
  const rows = await ctx.db.webhookEndpoint.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    // the limit bounds it; the margin tolerates rows written around it (restores)
    take: MAX_WEBHOOK_ENDPOINTS * 20,
    select: webhookEndpointSelect,
  });
  const visible = rows.filter((row) => endpointInScope(ctx.actor, endpointGroupIds(row)));
  const items = visible.slice((page - 1) * pageSize, page * pageSize);
  const counts = await deliveryCounts(
    ctx.db,
    items.map((row) => row.id),
  );
  return {
    items: items.map((row) => toWebhookEndpointDto(row, counts.get(row.id))),
    total: visible.length,
    page,
    pageSize,
  };
}
