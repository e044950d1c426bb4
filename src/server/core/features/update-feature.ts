import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { invalidArgument, notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDescription, ZId, ZName } from "../shared/schemas.ts";
import { ZFeatureUnit } from "./schemas.ts";
import { featureSelect, toFeatureDto, type FeatureDto } from "./select.ts";

/** Code and kind are fixed once created: licenses and shipped software depend on them. */
export const ZUpdateFeatureInput = z.object({
  id: ZId,
  name: ZName.optional(),
  description: ZDescription.optional(),
  unit: ZFeatureUnit.optional(),
});
export type TUpdateFeatureInput = z.input<typeof ZUpdateFeatureInput>;

export async function updateFeature(ctx: DomainContext, input: TUpdateFeatureInput): Promise<FeatureDto> {
  requirePermission(ctx.actor, "catalog.write");
  const { id, ...patch } = parseInput(ZUpdateFeatureInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const before = await tx.feature.findUnique({ where: { id }, select: featureSelect });
    if (!before) throw notFound("feature", id);
    if (patch.unit !== undefined && before.kind !== "metered") {
      throw invalidArgument("unit: only metered features have a unit", [
        { path: "unit", message: "only metered features have a unit" },
      ]);
    }
    const feature = await tx.feature.update({ where: { id }, data: patch, select: featureSelect });
    audit({ action: "feature.update", targetType: "feature", targetId: id, summary: changes(before, patch) });
    return toFeatureDto(feature);
  });
}
