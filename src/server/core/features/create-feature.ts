import { z } from "zod";
import { requirePermission } from "../../auth/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZCode, ZDescription, ZId, ZName } from "../shared/schemas.ts";
import { featureSelect, FEATURE_KINDS, toFeatureDto, type FeatureDto } from "./select.ts";

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

export async function createFeature(ctx: DomainContext, input: TCreateFeatureInput): Promise<FeatureDto> {
  requirePermission(ctx.actor, "catalog.write");
  const data = parseInput(ZCreateFeatureInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const product = await tx.product.findUnique({
      where: { id: data.productId },
      select: { archivedAt: true },
    });
    if (!product) throw notFound("product", data.productId);
    if (product.archivedAt)
      throw failedPrecondition("the product is archived; restore it before adding features");
    const feature = await tx.feature.create({
      data: { ...data, unit: data.unit ?? null },
      select: featureSelect,
    });
    audit({ action: "feature.create", targetType: "feature", targetId: feature.id, summary: data });
    return toFeatureDto(feature);
  });
}
