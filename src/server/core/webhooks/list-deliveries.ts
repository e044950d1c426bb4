import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import type { Page } from "../shared/schemas.ts";
import { ZListDeliveriesInput, type TListDeliveriesInput, type WebhookDeliveryDto } from "./schemas.ts";
import { findEndpointInScope, toWebhookDeliveryDto, webhookDeliverySelect } from "./select.ts";

/** An endpoint's deliveries, newest first, with the last attempt's latency and answer. */
export async function listWebhookDeliveries(
  ctx: DomainContext,
  input: TListDeliveriesInput,
): Promise<Page<WebhookDeliveryDto>> {
  requirePermission(ctx.actor, "webhook.read");
  const { endpointId, status, page, pageSize } = parseInput(ZListDeliveriesInput, input);
  await findEndpointInScope(ctx.db, ctx.actor, endpointId);
  const where = { endpointId, ...(status ? { status } : {}) };
  const [rows, total] = await Promise.all([
    ctx.db.webhookDelivery.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { event: { seq: "desc" } }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: webhookDeliverySelect,
    }),
    ctx.db.webhookDelivery.count({ where }),
  ]);
  return { items: rows.map(toWebhookDeliveryDto), total, page, pageSize };
}
