import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import type { Prisma } from "../../db/client.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { requireAllowedTarget } from "./create-endpoint.ts";
import {
  ZUpdateWebhookEndpointInput,
  type TUpdateWebhookEndpointInput,
  type WebhookEndpointDto,
} from "./schemas.ts";
import {
  endpointDto,
  endpointGroupIds,
  findEndpointInScope,
  parseStringList,
  resolveEndpointGroups,
  webhookEndpointSelect,
} from "./select.ts";

/**
 * Changes an endpoint's URL, description, event types, groups or state. Enabling a disabled
 * endpoint clears why it was disabled and its run of failures; disabling it records "admin".
 */
export async function updateWebhookEndpoint(
  ctx: DomainContext,
  input: TUpdateWebhookEndpointInput,
): Promise<WebhookEndpointDto> {
  requirePermission(ctx.actor, "webhook.write");
  const { endpointId, ...given } = parseInput(ZUpdateWebhookEndpointInput, input);
  if (given.url !== undefined) await requireAllowedTarget(ctx, given.url);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const before = await findEndpointInScope(tx, ctx.actor, endpointId);
    const beforeGroups = endpointGroupIds(before);
    const groupIds =
      given.groupIds === undefined
        ? beforeGroups
        : await resolveEndpointGroups(tx, ctx.actor, given.groupIds);
    const data: Prisma.WebhookEndpointUpdateInput = { updatedAt: now };
    if (given.url !== undefined) data.url = given.url;
    if (given.description !== undefined) data.description = given.description;
    if (given.events !== undefined) data.events = JSON.stringify(given.events);
    if (given.groupIds !== undefined) data.groupIds = groupIds === null ? null : JSON.stringify(groupIds);
    if (given.enabled === true && !before.enabled) {
      data.enabled = true;
      data.disabledReason = null;
      data.failingSince = null;
    } else if (given.enabled === false && before.enabled) {
      data.enabled = false;
      data.disabledReason = "admin";
    }
    const row = await tx.webhookEndpoint.update({
      where: { id: endpointId },
      data,
      select: webhookEndpointSelect,
    });
    const diff = changes(
      {
        url: before.url,
        description: before.description,
        events: parseStringList(before.events),
        groupIds: beforeGroups,
        enabled: before.enabled,
        disabledReason: before.disabledReason,
      },
      {
        url: row.url,
        description: row.description,
        events: parseStringList(row.events),
        groupIds,
        enabled: row.enabled,
        disabledReason: row.disabledReason,
      },
    );
    audit({
      action: "webhook_endpoint.update",
      targetType: "webhook_endpoint",
      targetId: endpointId,
      summary: { url: row.url, changes: diff },
      // the groups before and after a move both see it
      groupIds: [...new Set([...(beforeGroups ?? []), ...(groupIds ?? [])])],
    });
    return endpointDto(tx, row);
  });
}
