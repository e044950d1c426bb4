import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { featureSelect, toFeatureDto, type FeatureDto } from "./select.ts";
import { ZCreateFeatureInput, type TCreateFeatureInput } from "./schemas.ts";

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
