import { z } from "zod";
import { requireGroup, requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZMetadata, ZName } from "../shared/schemas.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";

export const ZCustomerFields = {
  name: ZName,
  email: z.email().max(254).nullable(),
  company: z.string().trim().max(200),
  notes: z.string().trim().max(10_000),
  groupId: ZId,
  metadata: ZMetadata,
};

export const ZCreateCustomerInput = z.object({
  ...ZCustomerFields,
  email: ZCustomerFields.email.default(null),
  company: ZCustomerFields.company.default(""),
  notes: ZCustomerFields.notes.default(""),
  metadata: ZCustomerFields.metadata.default({}),
});
export type TCreateCustomerInput = z.input<typeof ZCreateCustomerInput>;

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
