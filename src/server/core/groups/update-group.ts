import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZUpdateGroupInput, type TUpdateGroupInput } from "./schemas.ts";
import { groupSelect, toGroupDto, type GroupDto } from "./select.ts";

// the schema lives in schemas.ts (the admin UI's edit dialog uses it); importers of this file keep it

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
