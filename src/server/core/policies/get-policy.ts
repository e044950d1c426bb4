import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { policySelectFor, toPolicyDto, type PolicyDto } from "./select.ts";

export const ZGetPolicyInput = z.object({ id: ZId });
export type TGetPolicyInput = z.input<typeof ZGetPolicyInput>;

/** A policy with its entitlements and the number of licenses issued from it in the caller's groups. */
export async function getPolicy(ctx: DomainContext, input: TGetPolicyInput): Promise<PolicyDto> {
  requirePermission(ctx.actor, "policy.read");
  const { id } = parseInput(ZGetPolicyInput, input);
  const policy = await ctx.db.policy.findUnique({ where: { id }, select: policySelectFor(ctx.actor) });
  if (!policy) throw notFound("policy", id);
  return toPolicyDto(policy);
}
