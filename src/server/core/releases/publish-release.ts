import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { conflict, failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { releaseSelect, toReleaseDto, type ReleaseDto } from "./select.ts";
import { ZPublishReleaseInput, type TPublishReleaseInput } from "./schemas.ts";

/**
 * Publishes a version of a product with its release date (default: now). The dates decide which
 * versions a maintain_versions license still runs after its expiry (coverage.ts).
 */
export async function publishRelease(ctx: DomainContext, input: TPublishReleaseInput): Promise<ReleaseDto> {
  requirePermission(ctx.actor, "release.write");
  const data = parseInput(ZPublishReleaseInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const product = await tx.product.findUnique({
      where: { id: data.productId },
      select: { code: true, archivedAt: true },
    });
    if (!product) throw notFound("product", data.productId);
    if (product.archivedAt) {
      throw failedPrecondition("the product is archived; restore it before publishing releases");
    }
    const existing = await tx.release.findUnique({
      where: { productId_version: { productId: data.productId, version: data.version } },
      select: { id: true },
    });
    if (existing) {
      throw conflict(`version ${data.version} of ${product.code} is already published`, [
        { path: "version", message: "is already published" },
      ]);
    }
    const release = await tx.release.create({
      data: { ...data, releasedAt: data.releasedAt ?? ctx.clock.now() },
      select: releaseSelect,
    });
    audit({
      action: "release.publish",
      targetType: "release",
      targetId: release.id,
      summary: {
        productId: release.productId,
        productCode: product.code,
        version: release.version,
        releasedAt: release.releasedAt.toISOString(),
      },
    });
    return toReleaseDto(release);
  });
}
