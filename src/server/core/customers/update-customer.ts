import { requireGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { findCustomerInScope } from "./find-customer.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";
import { ZUpdateCustomerInput, type TUpdateCustomerInput } from "./schemas.ts";

export async function updateCustomer(ctx: DomainContext, input: TUpdateCustomerInput): Promise<CustomerDto> {
  requirePermission(ctx.actor, "customer.write");
  const { id, metadata, ...patch } = parseInput(ZUpdateCustomerInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    await findCustomerInScope(tx, ctx.actor, id);
    if (patch.groupId !== undefined) {
      requireGroup(ctx.actor, patch.groupId);
      const group = await tx.group.findUnique({ where: { id: patch.groupId }, select: { id: true } });
      if (!group) throw notFound("group", patch.groupId);
    }
    const before = await tx.customer.findUniqueOrThrow({ where: { id }, select: customerSelect });
    const data = { ...patch, ...(metadata !== undefined ? { metadata: JSON.stringify(metadata) } : {}) };
    const customer = await tx.customer.update({ where: { id }, data, select: customerSelect });
    audit({
      action: "customer.update",
      targetType: "customer",
      targetId: id,
      summary: changes(before, data),
      groupIds: [before.groupId], // a move is seen by the group it left, too
    });
    return toCustomerDto(customer);
  });
}
