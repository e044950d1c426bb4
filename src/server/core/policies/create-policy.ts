import { requireGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { policyEventData } from "../events/payloads.ts";
import { resolveEntitlements } from "../licenses/entitlements.ts";
import { defaultGracePeriodHours } from "../licenses/schemas.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZCreatePolicyInput, type TCreatePolicyInput } from "./schemas.ts";
import { policySelect, toPolicyDto, type PolicyDto } from "./select.ts";
import { refuseContradictions, termContradictions } from "./terms.ts";
import { requireNoLiveTrialPolicy } from "./trial-policy.ts";

/**
 * A policy of a product. A trial policy also gets its trial customer, "Trials: <product>", in the
 * group the input names, in the same transaction.
 */
export async function createPolicy(ctx: DomainContext, input: TCreatePolicyInput): Promise<PolicyDto> {
  requirePermission(ctx.actor, "policy.write");
  const { entitlements, trialGroupId, ...given } = parseInput(ZCreatePolicyInput, input);
  const data = {
    ...given,
    gracePeriodHours:
      given.gracePeriodHours ?? defaultGracePeriodHours(given.type, given.checkInIntervalDays),
  };
  refuseContradictions(termContradictions(data));
  if (trialGroupId) requireGroup(ctx.actor, trialGroupId);
  return mutate(ctx, async ({ tx, audit, emit }) => {
    const product = await tx.product.findUnique({
      where: { id: data.productId },
      select: { code: true, name: true, archivedAt: true },
    });
    if (!product) throw notFound("product", data.productId);
    if (product.archivedAt) throw failedPrecondition(`product ${product.code} is archived`);
    const resolved = await resolveEntitlements(tx, data.productId, entitlements);

    let trialCustomerId: string | null = null;
    if (data.kind === "trial" && trialGroupId) {
      await requireNoLiveTrialPolicy(tx, ctx.provider, data.productId);
      const group = await tx.group.findUnique({ where: { id: trialGroupId }, select: { id: true } });
      if (!group) throw notFound("group", trialGroupId);
      const customer = await tx.customer.create({
        data: {
          name: `Trials: ${product.name}`,
          groupId: trialGroupId,
          notes: "trial licenses until converted",
        },
        select: { id: true, name: true },
      });
      trialCustomerId = customer.id;
      audit({
        action: "customer.create",
        targetType: "customer",
        targetId: customer.id,
        summary: { name: customer.name, groupId: trialGroupId, trialPolicy: data.name },
      });
    }

    const policy = await tx.policy.create({
      data: { ...data, trialCustomerId, entitlements: { create: resolved } },
      select: policySelect,
    });
    audit({
      action: "policy.create",
      targetType: "policy",
      targetId: policy.id,
      summary: { ...data, product: product.code, trialCustomerId, entitlements: resolved },
    });
    const dto = toPolicyDto(policy);
    // catalogue-wide: no group (group-scoped endpoints and feeds do not get it)
    emit({ type: "policy.created", groupId: null, data: { policy: policyEventData(dto) } });
    return dto;
  });
}
