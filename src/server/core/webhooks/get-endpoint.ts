import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZEndpointIdInput, type TEndpointIdInput, type WebhookEndpointDto } from "./schemas.ts";
import { endpointDto, findEndpointInScope } from "./select.ts";

/** One endpoint with its deliveries by status (never its secret). */
export async function getWebhookEndpoint(
  ctx: DomainContext,
  input: TEndpointIdInput,
): Promise<WebhookEndpointDto> {
  requirePermission(ctx.actor, "webhook.read");
  const { endpointId } = parseInput(ZEndpointIdInput, input);
  const row = await findEndpointInScope(ctx.db, ctx.actor, endpointId);
  return endpointDto(ctx.db, row);
}
