import { archivePolicy } from "../../core/policies/archive-policy.ts";
import { createPolicy } from "../../core/policies/create-policy.ts";
import { getPolicy, ZGetPolicyInput } from "../../core/policies/get-policy.ts";
import { listPolicies } from "../../core/policies/list-policies.ts";
import { previewPolicyChange } from "../../core/policies/preview-policy-change.ts";
import {
  ZArchivePolicyInput,
  ZCreatePolicyInput,
  ZListPoliciesInput,
  ZPolicyChangePreview,
  ZUpdatePolicyInput,
} from "../../core/policies/schemas.ts";
import { ZPolicyDto } from "../../core/policies/select.ts";
import { updatePolicy } from "../../core/policies/update-policy.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const policiesRouter = router({
  list: adminProcedure("policy.read")
    .meta(rest("GET", "/policies", "Policies", "List a product's policies"))
    .input(ZListPoliciesInput)
    .output(zPage(ZPolicyDto))
    .query(({ ctx, input }) => listPolicies(ctx.domain, input)),
  get: adminProcedure("policy.read")
    .meta(rest("GET", "/policies/{id}", "Policies", "Get a policy and the number of its licenses"))
    .input(ZGetPolicyInput)
    .output(ZPolicyDto)
    .query(({ ctx, input }) => getPolicy(ctx.domain, input)),
  create: adminProcedure("policy.write")
    .meta(rest("POST", "/policies", "Policies", "Create a policy (a trial policy gets its trial customer)"))
    .input(ZCreatePolicyInput)
    .output(ZPolicyDto)
    .mutation(({ ctx, input }) => createPolicy(ctx.domain, input)),
  update: adminProcedure("policy.write")
    .meta(
      rest(
        "PATCH",
        "/policies/{id}",
        "Policies",
        "Change a policy: every license inheriting a changed term changes",
      ),
    )
    .input(ZUpdatePolicyInput)
    .output(ZPolicyDto)
    .mutation(({ ctx, input }) => updatePolicy(ctx.domain, input)),
  previewChange: adminProcedure("policy.write")
    .meta(
      rest("POST", "/policies/{id}/preview", "Policies", "How many licenses a change would update, by term"),
    )
    .input(ZUpdatePolicyInput)
    .output(ZPolicyChangePreview)
    .mutation(({ ctx, input }) => previewPolicyChange(ctx.domain, input)),
  archive: adminProcedure("policy.write")
    .meta(rest("POST", "/policies/{id}/archive", "Policies", "Archive (or restore) a policy"))
    .input(ZArchivePolicyInput)
    .output(ZPolicyDto)
    .mutation(({ ctx, input }) => archivePolicy(ctx.domain, input)),
});
