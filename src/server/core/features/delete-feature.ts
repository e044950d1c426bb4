import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";

export const ZDeleteFeatureInput = z.object({ id: ZId });
export type TDeleteFeatureInput = z.input<typeof ZDeleteFeatureInput>;

/** Deletes a feature no license is entitled to and no usage was recorded for. */
export async function deleteFeature(ctx: DomainContext, input: TDeleteFeatureInput): Promise<{ id: string }> {
  requirePermission(ctx.actor, "catalog.write");
  const { id } = parseInput(ZDeleteFeatureInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const feature = await tx.feature.findUnique({
      where: { id },
      select: { code: true, productId: true, _count: { select: { entitlements: true, usage: true } } },
    });
    if (!feature) throw notFound("feature", id);
    const { entitlements, usage } = feature._count;
    if (entitlements + usage > 0) {
      throw failedPrecondition(
        `feature ${feature.code} is used by ${entitlements} license entitlement(s) and ${usage} usage record(s); remove the entitlements first`,
      );
    }
    await tx.feature.delete({ where: { id }, select: { id: true } });
    audit({
      action: "feature.delete",
      targetType: "feature",
      targetId: id,
      summary: { code: feature.code, productId: feature.productId },
    });
    return { id };
  });
}
