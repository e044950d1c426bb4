import { z } from "zod";
import { inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { groupSelect, toGroupDto, type GroupDto } from "./select.ts";

export const ZGetGroupInput = z.object({ id: ZId });
export type TGetGroupInput = z.input<typeof ZGetGroupInput>;

export async function getGroup(ctx: DomainContext, input: TGetGroupInput): Promise<GroupDto> {
  requirePermission(ctx.actor, "group.read");
  const { id } = parseInput(ZGetGroupInput, input);
  const group = inGroup(ctx.actor, id)
    ? await ctx.db.group.findUnique({ where: { id }, select: groupSelect })
    : null;
  if (!group) throw notFound("group", id);
  return toGroupDto(group);
}
