import { z } from "zod";
import { requireGroup, requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { ZCustomerFields } from "./create-customer.ts";
import { findCustomerInScope } from "./find-customer.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";

export const ZUpdateCustomerInput = z.object({
  id: ZId,
  name: ZCustomerFields.name.optional(),
  email: ZCustomerFields.email.optional(),
  company: ZCustomerFields.company.optional(),
  notes: ZCustomerFields.notes.optional(),
  /** moves the customer (and its licenses) to another group; needs membership of both */
  groupId: ZCustomerFields.groupId.optional(),
  metadata: ZCustomerFields.metadata.optional(),
});
export type TUpdateCustomerInput = z.input<typeof ZUpdateCustomerInput>;

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
    });
    return toCustomerDto(customer);
  });
}
