import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { readSettings } from "../settings/settings.ts";
import { apiKeySelect, toApiKeyDto, type ApiKeyDto } from "./select.ts";

export const ZRevokeApiKeyInput = z.object({ id: ZId });
export type TRevokeApiKeyInput = z.input<typeof ZRevokeApiKeyInput>;

/** Its creator or a super admin revokes a key; it stops working at once. */
export async function revokeApiKey(ctx: DomainContext, input: TRevokeApiKeyInput): Promise<ApiKeyDto> {
  requirePermission(ctx.actor, "api_key.manage");
  const { id } = parseInput(ZRevokeApiKeyInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const key = await tx.apiKey.findUnique({
      where: { id },
      select: { createdById: true, revokedAt: true, prefix: true },
    });
    if (!key || (ctx.actor.role !== "super_admin" && key.createdById !== ctx.actor.id))
      throw notFound("API key", id);
    if (key.revokedAt) throw failedPrecondition("the API key is already revoked");
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now }, select: apiKeySelect });
    audit({ action: "api_key.revoke", targetType: "api_key", targetId: id, summary: { prefix: key.prefix } });
    return toApiKeyDto(revoked, await readSettings(tx));
  });
}
