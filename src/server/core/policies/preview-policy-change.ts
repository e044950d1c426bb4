import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { proposePolicyChange } from "./propose-change.ts";
import { ZUpdatePolicyInput, type PolicyChangePreview, type TUpdatePolicyInput } from "./schemas.ts";

/**
 * What updatePolicy would do with the same input, writing nothing: for each changed term, how many
 * licenses inherit it and would change, and how many override it and keep their own. Refused
 * exactly as the change would be.
 */
export async function previewPolicyChange(
  ctx: DomainContext,
  input: TUpdatePolicyInput,
): Promise<PolicyChangePreview> {
  // previewing a change is part of changing (and names what the licenses of every group would get)
  requirePermission(ctx.actor, "policy.write");
  const parsed = parseInput(ZUpdatePolicyInput, input);
  const { plan } = await proposePolicyChange(ctx.db, parsed);
  return {
    licenses: plan.licenses,
    terms: plan.terms.map(({ term, from, to, licenses, overriding }) => ({
      term,
      from,
      to,
      licenses,
      overriding,
    })),
  };
}
