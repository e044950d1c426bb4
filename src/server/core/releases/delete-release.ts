import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";

export const ZDeleteReleaseInput = z.object({ id: ZId });
export type TDeleteReleaseInput = z.input<typeof ZDeleteReleaseInput>;

/**
 * Deletes a release (one published by mistake). Coverage follows at once: an expired
 * maintain_versions license no longer counts it among the versions released before its expiry.
 */
export async function deleteRelease(ctx: DomainContext, input: TDeleteReleaseInput): Promise<{ id: string }> {
  requirePermission(ctx.actor, "release.write");
  const { id } = parseInput(ZDeleteReleaseInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const release = await tx.release.findUnique({
      where: { id },
      select: { productId: true, version: true, releasedAt: true },
    });
    if (!release) throw notFound("release", id);
    await tx.release.delete({ where: { id }, select: { id: true } });
    audit({
      action: "release.delete",
      targetType: "release",
      targetId: id,
      summary: {
        productId: release.productId,
        version: release.version,
        releasedAt: release.releasedAt.toISOString(),
      },
    });
    return { id };
  });
}
