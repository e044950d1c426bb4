import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZCreateWebhookEndpointInput, type TCreateWebhookEndpointInput } from "./schemas.ts";
import { newWebhookSecret, sealWebhookSecret } from "./secret.ts";
import {
  MAX_WEBHOOK_ENDPOINTS,
  resolveEndpointGroups,
  toWebhookEndpointDto,
  webhookEndpointSelect,
} from "./select.ts";
import type { WebhookEndpointDto } from "./schemas.ts";
import { webhookTargetProblem } from "./target-guard.ts";

/** Serializes endpoint creation on PostgreSQL, so two at once cannot both pass the limit. */
const ENDPOINT_LIMIT_LOCK = 7_245_016;

/** Refuses a URL whose host may not receive webhooks (private addresses, unless allowed). */
export async function requireAllowedTarget(ctx: DomainContext, url: string): Promise<void> {
  const problem = await webhookTargetProblem(url, ctx.allowPrivateWebhookTargets ?? false);
  if (problem) throw invalidArgument(`url: ${problem}`, [{ path: "url", message: problem }]);
}

/**
 * A webhook endpoint with a new signing secret, returned this once (stored sealed; never shown,
 * logged or audited again).
 */
export async function createWebhookEndpoint(
  ctx: DomainContext,
  input: TCreateWebhookEndpointInput,
): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  requirePermission(ctx.actor, "webhook.write");
  const data = parseInput(ZCreateWebhookEndpointInput, input);
  await requireAllowedTarget(ctx, data.url);
  const secret = newWebhookSecret();
  return mutate(ctx, async ({ tx, now, audit }) => {
    const groupIds = await resolveEndpointGroups(tx, ctx.actor, data.groupIds);
    if (ctx.provider === "postgresql")
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ENDPOINT_LIMIT_LOCK})`);
    const existing = await tx.webhookEndpoint.count();
    if (existing >= MAX_WEBHOOK_ENDPOINTS)
      throw failedPrecondition(
        `this server has ${existing} webhook endpoints, the most it allows (${MAX_WEBHOOK_ENDPOINTS}): delete one first`,
      );
    const row = await tx.webhookEndpoint.create({
      data: {
        url: data.url,
        description: data.description,
        events: JSON.stringify(data.events),
        enabled: data.enabled,
        disabledReason: data.enabled ? null : "admin",
        groupIds: groupIds === null ? null : JSON.stringify(groupIds),
        secretEnc: sealWebhookSecret(ctx.encryptionKey, secret),
        createdById: ctx.actor.type === "admin" ? ctx.actor.id : null,
        createdAt: now,
        updatedAt: now,
      },
      select: webhookEndpointSelect,
    });
    audit({
      action: "webhook_endpoint.create",
      targetType: "webhook_endpoint",
      targetId: row.id,
      summary: {
        url: data.url,
        description: data.description,
        events: data.events,
        groupIds,
        enabled: data.enabled,
      },
      groupIds: groupIds ?? [],
    });
    return { endpoint: toWebhookEndpointDto(row), secret };
  });
}
