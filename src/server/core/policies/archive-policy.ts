import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { policyEventData } from "../events/payloads.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZArchivePolicyInput, type TArchivePolicyInput } from "./schemas.ts";
import { policySelect, toPolicyDto, type PolicyDto } from "./select.ts";
import { requireNoLiveTrialPolicy } from "./trial-policy.ts";

/**
 * No new licenses from an archived policy (an archived trial policy starts no trials); the
 * licenses issued from it keep their terms and still follow its changes. Restoring a trial policy
 * is refused while the product has another live one.
 */
export async function archivePolicy(ctx: DomainContext, input: TArchivePolicyInput): Promise<PolicyDto> {
  requirePermission(ctx.actor, "policy.write");
  const { id, archived } = parseInput(ZArchivePolicyInput, input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const policy = await tx.policy.findUnique({
      where: { id },
      select: { name: true, kind: true, productId: true, archivedAt: true },
    });
    if (!policy) throw notFound("policy", id);
    if (!archived && policy.kind === "trial" && policy.archivedAt) {
      await requireNoLiveTrialPolicy(tx, ctx.provider, policy.productId, id);
    }
    const updated = await tx.policy.update({
      where: { id },
      data: { archivedAt: archived ? (policy.archivedAt ?? now) : null },
      select: policySelect,
    });
    audit({
      action: archived ? "policy.archive" : "policy.restore",
      targetType: "policy",
      targetId: id,
      summary: { name: policy.name, kind: policy.kind },
    });
    const dto = toPolicyDto(updated);
    // catalogue-wide (no group): policy.archived when it was live; a restore is a policy.updated
    if (archived && !policy.archivedAt) {
      emit({ type: "policy.archived", groupId: null, data: { policy: policyEventData(dto) } });
    } else if (!archived && policy.archivedAt) {
      emit({
        type: "policy.updated",
        groupId: null,
        data: {
          policy: policyEventData(dto),
          changes: { archivedAt: { from: policy.archivedAt.toISOString(), to: null } },
          licensesUpdated: 0,
        },
      });
    }
    return dto;
  });
}
