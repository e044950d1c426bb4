import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { featureSelect, toFeatureDto, type FeatureDto } from "./select.ts";

export const ZListFeaturesInput = z.object({ productId: ZId });
export type TListFeaturesInput = z.input<typeof ZListFeaturesInput>;

/** All features of a product, by code (a product has tens of features, not thousands). */
export async function listFeatures(ctx: DomainContext, input: TListFeaturesInput): Promise<FeatureDto[]> {
  requirePermission(ctx.actor, "catalog.read");
  const { productId } = parseInput(ZListFeaturesInput, input);
  const [product, rows] = await Promise.all([
    ctx.db.product.findUnique({ where: { id: productId }, select: { id: true } }),
    ctx.db.feature.findMany({ where: { productId }, orderBy: { code: "asc" }, select: featureSelect }),
  ]);
  if (!product) throw notFound("product", productId);
  return rows.map(toFeatureDto);
}
