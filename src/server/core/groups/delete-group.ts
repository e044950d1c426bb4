import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";

export const ZDeleteGroupInput = z.object({ id: ZId });
export type TDeleteGroupInput = z.input<typeof ZDeleteGroupInput>;

/** Deletes an empty group; a group that still has customers, admins or API keys is refused. */
export async function deleteGroup(ctx: DomainContext, input: TDeleteGroupInput): Promise<{ id: string }> {
  requirePermission(ctx.actor, "group.write");
  const { id } = parseInput(ZDeleteGroupInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const group = await tx.group.findUnique({
      where: { id },
      select: { name: true, _count: { select: { customers: true, admins: true, apiKeys: true } } },
    });
    if (!group) throw notFound("group", id);
    const { customers, admins, apiKeys } = group._count;
    if (customers + admins + apiKeys > 0) {
      throw failedPrecondition(
        `group "${group.name}" still has ${customers} customer(s), ${admins} admin(s) and ${apiKeys} API key(s); move or remove them first`,
      );
    }
    await tx.group.delete({ where: { id }, select: { id: true } });
    audit({ action: "group.delete", targetType: "group", targetId: id, summary: { name: group.name } });
    return { id };
  });
}
