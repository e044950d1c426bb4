import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDescription, ZId, ZName } from "../shared/schemas.ts";
import { groupSelect, toGroupDto, type GroupDto } from "./select.ts";

export const ZUpdateGroupInput = z.object({
  id: ZId,
  name: ZName.optional(),
  description: ZDescription.optional(),
});
export type TUpdateGroupInput = z.input<typeof ZUpdateGroupInput>;

export async function updateGroup(ctx: DomainContext, input: TUpdateGroupInput): Promise<GroupDto> {
  requirePermission(ctx.actor, "group.write");
  const { id, ...patch } = parseInput(ZUpdateGroupInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const before = await tx.group.findUnique({ where: { id }, select: groupSelect });
    if (!before) throw notFound("group", id);
    const group = await tx.group.update({ where: { id }, data: patch, select: groupSelect });
    audit({ action: "group.update", targetType: "group", targetId: id, summary: changes(before, patch) });
    return toGroupDto(group);
  });
}
