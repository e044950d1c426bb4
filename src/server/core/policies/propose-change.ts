import type { z } from "zod";
import type { Tx } from "../../db/client.ts";
import { notFound } from "../errors.ts";
import { resolveEntitlements } from "../licenses/entitlements.ts";
import type { QuotaPeriod } from "../licenses/select.ts";
import { planPolicyChange, termChanges, type PolicyChangePlan, type PolicyState } from "./propagate.ts";
import type { ZUpdatePolicyInput } from "./schemas.ts";
import { policyTermsSelect, toTermValues } from "./select.ts";
import { refuseContradictions, termContradictions, trialContradictions } from "./terms.ts";

export interface ProposedPolicyChange {
  policy: { id: string; name: string; kind: string; productId: string };
  before: PolicyState;
  next: PolicyState;
  plan: PolicyChangePlan;
}

/**
 * A change to a policy checked as a whole (the resulting terms, a trial policy's rules, the
 * entitlements against the product's features) and what it would do to the policy's licenses.
 */
export async function proposePolicyChange(
  tx: Tx,
  input: z.output<typeof ZUpdatePolicyInput>,
): Promise<ProposedPolicyChange> {
  const { id, name: _name, description: _description, entitlements, ...patch } = input;
  const row = await tx.policy.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      kind: true,
      productId: true,
      ...policyTermsSelect,
      entitlements: { select: { featureId: true, quota: true, quotaPeriod: true } },
    },
  });
  if (!row) throw notFound("policy", id);
  const before: PolicyState = {
    ...toTermValues(row),
    entitlements: row.entitlements.map((e) => ({ ...e, quotaPeriod: e.quotaPeriod as QuotaPeriod })),
  };
  const defined = Object.fromEntries(
    Object.entries(patch as Record<string, unknown>).filter(([, v]) => v !== undefined),
  );
  const next: PolicyState = {
    ...before,
    ...defined,
    entitlements:
      entitlements === undefined
        ? before.entitlements
        : await resolveEntitlements(tx, row.productId, entitlements),
  };
  refuseContradictions([
    ...termContradictions(next),
    ...(row.kind === "trial" ? trialContradictions(next) : []),
  ]);
  const plan = await planPolicyChange(tx, id, termChanges(before, next), next);
  return {
    policy: { id: row.id, name: row.name, kind: row.kind, productId: row.productId },
    before,
    next,
    plan,
  };
}
