// The features' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZCode, ZDescription, ZId, ZName } from "../shared/schemas.ts";
import { FEATURE_KINDS } from "./select.ts";

export const ZFeatureUnit = z.string().trim().min(1, "is required").max(50);

export const ZCreateFeatureInput = z
  .object({
    productId: ZId,
    code: ZCode,
    name: ZName,
    description: ZDescription.default(""),
    kind: z.enum(FEATURE_KINDS).default("boolean"),
    /** what a metered feature counts, e.g. "api-calls"; only for metered features */
    unit: ZFeatureUnit.optional(),
  })
  .superRefine((value, issues) => {
    if (value.kind === "metered" && !value.unit) {
      issues.addIssue({ code: "custom", path: ["unit"], message: "a metered feature needs a unit" });
    }
    if (value.kind === "boolean" && value.unit) {
      issues.addIssue({ code: "custom", path: ["unit"], message: "only metered features have a unit" });
    }
  });
export type TCreateFeatureInput = z.input<typeof ZCreateFeatureInput>;

/** Code and kind are fixed once created: licenses and shipped software depend on them. */
export const ZUpdateFeatureInput = z.object({
  id: ZId,
  name: ZName.optional(),
  description: ZDescription.optional(),
  unit: ZFeatureUnit.optional(),
});
export type TUpdateFeatureInput = z.input<typeof ZUpdateFeatureInput>;
