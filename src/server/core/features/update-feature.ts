import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { invalidArgument, notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZUpdateFeatureInput, type TUpdateFeatureInput } from "./schemas.ts";
import { featureSelect, toFeatureDto, type FeatureDto } from "./select.ts";

// the schema lives in schemas.ts (the admin UI's edit dialog uses it); importers of this file keep it

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
