import { inGroup, requirePermission, roleAtLeast } from "../access/policy.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import { requireGroupsExist } from "../admins/rules.ts";
import type { DomainContext } from "../context.ts";
import { DomainError, forbidden, invalidArgument } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { readSettings } from "../settings/settings.ts";
import { generateApiKey } from "./api-key-format.ts";
import { apiKeySelect, toApiKeyDto, type ApiKeyDto } from "./select.ts";
import { ZCreateApiKeyInput, type TCreateApiKeyInput } from "./schemas.ts";

/** The key itself is in the result once and never again. */
export async function createApiKey(
  ctx: DomainContext,
  input: TCreateApiKeyInput,
): Promise<{ key: string; apiKey: ApiKeyDto }> {
  requirePermission(ctx.actor, "api_key.manage");
  const createdById = requireAdminActor(ctx.actor);
  const { groupIds, ...data } = parseInput(ZCreateApiKeyInput, input);
  if (!roleAtLeast(ctx.actor.role, data.role)) {
    throw forbidden(`a ${ctx.actor.role} cannot create a key with role ${data.role}`);
  }
  const outside = groupIds.filter((id) => !inGroup(ctx.actor, id));
  if (outside.length > 0) {
    throw new DomainError("FORBIDDEN", `you are not a member of group(s) ${outside.join(", ")}`, [
      { path: "groupIds", message: "not one of your groups" },
    ]);
  }
  if (data.expiresAt && data.expiresAt <= ctx.clock.now()) {
    throw invalidArgument("expiresAt: must be in the future", [
      { path: "expiresAt", message: "must be in the future" },
    ]);
  }
  const { key, prefix, hash } = generateApiKey();
  return mutate(ctx, async ({ tx, audit }) => {
    await requireGroupsExist(tx, groupIds);
    const apiKey = await tx.apiKey.create({
      data: {
        ...data,
        prefix,
        keyHash: hash,
        createdById,
        groups: { create: groupIds.map((groupId) => ({ groupId })) },
      },
      select: apiKeySelect,
    });
    audit({
      action: "api_key.create",
      targetType: "api_key",
      targetId: apiKey.id,
      summary: { ...data, prefix, groupIds },
    });
    return { key, apiKey: toApiKeyDto(apiKey, await readSettings(tx)) };
  });
}
