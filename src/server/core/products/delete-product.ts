import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { liveLicenseWhere } from "../licenses/status.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";

export const ZDeleteProductInput = z.object({ id: ZId });
export type TDeleteProductInput = z.input<typeof ZDeleteProductInput>;

/**
 * Deletes a product with its features and its ended (revoked or expired) licenses. Refused while
 * any license of it is active or suspended.
 */
export async function deleteProduct(ctx: DomainContext, input: TDeleteProductInput): Promise<{ id: string }> {
  requirePermission(ctx.actor, "catalog.write");
  const { id } = parseInput(ZDeleteProductInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const product = await tx.product.findUnique({ where: { id }, select: { code: true } });
    if (!product) throw notFound("product", id);
    const live = await tx.license.count({ where: { productId: id, ...liveLicenseWhere(now) } });
    if (live > 0) {
      throw failedPrecondition(
        `product ${product.code} still has ${live} active or suspended license(s); revoke them first`,
      );
    }
    const ended = await tx.license.deleteMany({ where: { productId: id } });
    await tx.feature.deleteMany({ where: { productId: id } });
    await tx.product.delete({ where: { id }, select: { id: true } });
    audit({
      action: "product.delete",
      targetType: "product",
      targetId: id,
      summary: { code: product.code, endedLicensesDeleted: ended.count },
    });
    return { id };
  });
}
