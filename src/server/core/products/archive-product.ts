import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { liveLicenseWhere } from "../licenses/status.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { productSelect, toProductDto, type ProductDto } from "./select.ts";

export const ZArchiveProductInput = z.object({
  id: ZId,
  /** false restores an archived product */
  archived: z.boolean().default(true),
});
export type TArchiveProductInput = z.input<typeof ZArchiveProductInput>;

/** Archived products are hidden from lists and get no new licenses; live licenses block it. */
export async function archiveProduct(ctx: DomainContext, input: TArchiveProductInput): Promise<ProductDto> {
  requirePermission(ctx.actor, "catalog.write");
  const { id, archived } = parseInput(ZArchiveProductInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const product = await tx.product.findUnique({ where: { id }, select: { code: true } });
    if (!product) throw notFound("product", id);
    if (archived) {
      const live = await tx.license.count({ where: { productId: id, ...liveLicenseWhere(now) } });
      if (live > 0) {
        throw failedPrecondition(
          `product ${product.code} still has ${live} active or suspended license(s); revoke them first`,
        );
      }
    }
    const updated = await tx.product.update({
      where: { id },
      data: { archivedAt: archived ? now : null },
      select: productSelect,
    });
    audit({
      action: archived ? "product.archive" : "product.restore",
      targetType: "product",
      targetId: id,
      summary: { code: product.code },
    });
    return toProductDto(updated);
  });
}
