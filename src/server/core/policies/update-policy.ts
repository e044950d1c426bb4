import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { policyEventData } from "../events/payloads.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { applyPolicyChange } from "./propagate.ts";
import { proposePolicyChange } from "./propose-change.ts";
import { ZUpdatePolicyInput, type TUpdatePolicyInput } from "./schemas.ts";
import { policySelect, toPolicyDto, type PolicyDto } from "./select.ts";

/**
 * Changes a policy and writes each changed term to every license of the policy that does not
 * override it, in one transaction; one audit event carries the changes and the number of licenses
 * updated. A new duration does not move any license's expiry (see planPolicyChange).
 */
export async function updatePolicy(ctx: DomainContext, input: TUpdatePolicyInput): Promise<PolicyDto> {
  requirePermission(ctx.actor, "policy.write");
  const parsed = parseInput(ZUpdatePolicyInput, input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const { next, plan } = await proposePolicyChange(tx, parsed);
    const { entitlements, ...terms } = next;
    const before = await tx.policy.findUniqueOrThrow({
      where: { id: parsed.id },
      select: { name: true, description: true },
    });
    const named = { name: parsed.name, description: parsed.description };
    const changedTerms = plan.terms.map((t) => t.term);
    const updated = await tx.policy.update({
      where: { id: parsed.id },
      data: {
        ...terms,
        ...(parsed.name !== undefined ? { name: parsed.name } : {}),
        ...(parsed.description !== undefined ? { description: parsed.description } : {}),
        ...(changedTerms.includes("entitlements")
          ? { entitlements: { deleteMany: {}, create: entitlements } }
          : {}),
      },
      select: policySelect,
    });
    await applyPolicyChange(tx, plan, next, now);
    const changed = {
      ...changes(before, named),
      ...Object.fromEntries(plan.terms.map((t) => [t.term, { from: t.from, to: t.to }])),
    };
    audit({
      action: "policy.update",
      targetType: "policy",
      targetId: parsed.id,
      summary: {
        ...changes(before, named),
        terms: Object.fromEntries(plan.terms.map((t) => [t.term, { from: t.from, to: t.to }])),
        licensesUpdated: plan.licenses,
        byTerm: Object.fromEntries(
          plan.terms.map((t) => [t.term, { licenses: t.licenses, overriding: t.overriding }]),
        ),
      },
    });
    const dto = toPolicyDto(updated);
    // catalogue-wide (no group); the licenses it reached get no license.updated each: the count
    if (Object.keys(changed).length > 0) {
      emit({
        type: "policy.updated",
        groupId: null,
        data: { policy: policyEventData(dto), changes: changed, licensesUpdated: plan.licenses },
      });
    }
    return dto;
  });
}
