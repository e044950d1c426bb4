import { requireGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";
import { ZCreateCustomerInput, type TCreateCustomerInput } from "./schemas.ts";

export async function createCustomer(ctx: DomainContext, input: TCreateCustomerInput): Promise<CustomerDto> {
  requirePermission(ctx.actor, "customer.write");
  const data = parseInput(ZCreateCustomerInput, input);
  requireGroup(ctx.actor, data.groupId);
  return mutate(ctx, async ({ tx, audit }) => {
    const group = await tx.group.findUnique({ where: { id: data.groupId }, select: { id: true } });
    if (!group) throw notFound("group", data.groupId);
    const customer = await tx.customer.create({
      data: { ...data, metadata: JSON.stringify(data.metadata) },
      select: customerSelect,
    });
    audit({ action: "customer.create", targetType: "customer", targetId: customer.id, summary: data });
    return toCustomerDto(customer);
  });
}
