import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDeliveryIdInput, type TDeliveryIdInput, type WebhookAttemptDto } from "./schemas.ts";
import { findDeliveryInScope, toWebhookAttemptDto, webhookAttemptSelect } from "./select.ts";

/** The most attempts one answer lists (a delivery redelivered over and over keeps counting). */
const MAX_ATTEMPTS_LISTED = 1000;

/** A delivery's attempts, oldest first: the delivery log. */
export async function listWebhookAttempts(
  ctx: DomainContext,
  input: TDeliveryIdInput,
): Promise<WebhookAttemptDto[]> {
  requirePermission(ctx.actor, "webhook.read");
  const { deliveryId } = parseInput(ZDeliveryIdInput, input);
  await findDeliveryInScope(ctx.db, ctx.actor, deliveryId);
  const rows = await ctx.db.webhookAttempt.findMany({
    where: { deliveryId },
    orderBy: [{ attempt: "asc" }, { at: "asc" }, { id: "asc" }],
    take: MAX_ATTEMPTS_LISTED,
    select: webhookAttemptSelect,
  });
  return rows.map(toWebhookAttemptDto);
}
