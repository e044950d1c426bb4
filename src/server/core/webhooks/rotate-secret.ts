import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  ZRotateWebhookSecretInput,
  type TRotateWebhookSecretInput,
  type WebhookEndpointDto,
} from "./schemas.ts";
import { newWebhookSecret, sealWebhookSecret } from "./secret.ts";
import { endpointDto, endpointGroupIds, findEndpointInScope, webhookEndpointSelect } from "./select.ts";

const HOUR_MS = 3_600_000;

/**
 * A new signing secret, returned this once. The current one keeps signing beside it (deliveries
 * carry both signatures) for `graceHours`; 0 retires it at once.
 */
export async function rotateWebhookSecret(
  ctx: DomainContext,
  input: TRotateWebhookSecretInput,
): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  requirePermission(ctx.actor, "webhook.write");
  const { endpointId, graceHours } = parseInput(ZRotateWebhookSecretInput, input);
  const secret = newWebhookSecret();
  return mutate(ctx, async ({ tx, now, audit }) => {
    const endpoint = await findEndpointInScope(tx, ctx.actor, endpointId);
    const current = await tx.webhookEndpoint.findUniqueOrThrow({
      where: { id: endpointId },
      select: { secretEnc: true },
    });
    const previousSecretUntil = graceHours > 0 ? new Date(now.getTime() + graceHours * HOUR_MS) : null;
    const row = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data: {
        secretEnc: sealWebhookSecret(ctx.encryptionKey, secret),
        previousSecretEnc: previousSecretUntil ? current.secretEnc : null,
        previousSecretUntil,
        updatedAt: now,
      },
      select: webhookEndpointSelect,
    });
    audit({
      action: "webhook_endpoint.rotate_secret",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: {
        url: endpoint.url,
        graceHours,
        previousSecretUntil: previousSecretUntil?.toISOString() ?? null,
      },
      groupIds: endpointGroupIds(endpoint) ?? [],
    });
    return { endpoint: await endpointDto(tx, row), secret };
  });
}
