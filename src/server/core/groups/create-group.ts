import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { groupSelect, toGroupDto, type GroupDto } from "./select.ts";
import { ZCreateGroupInput, type TCreateGroupInput } from "./schemas.ts";

export async function createGroup(ctx: DomainContext, input: TCreateGroupInput): Promise<GroupDto> {
  requirePermission(ctx.actor, "group.write");
  const data = parseInput(ZCreateGroupInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const group = await tx.group.create({ data, select: groupSelect });
    audit({ action: "group.create", targetType: "group", targetId: group.id, summary: data });
    return toGroupDto(group);
  });
}
