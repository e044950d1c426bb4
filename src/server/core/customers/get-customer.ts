import { z } from "zod";
import { inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";

export const ZGetCustomerInput = z.object({ id: ZId });
export type TGetCustomerInput = z.input<typeof ZGetCustomerInput>;

export async function getCustomer(ctx: DomainContext, input: TGetCustomerInput): Promise<CustomerDto> {
  requirePermission(ctx.actor, "customer.read");
  const { id } = parseInput(ZGetCustomerInput, input);
  const customer = await ctx.db.customer.findUnique({ where: { id }, select: customerSelect });
  if (!customer || !inGroup(ctx.actor, customer.groupId)) throw notFound("customer", id);
  return toCustomerDto(customer);
}
