import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDescription, ZId, ZName } from "../shared/schemas.ts";
import { productSelect, toProductDto, type ProductDto } from "./select.ts";

/** The code is not editable: shipped software and issued .lic files refer to it. */
export const ZUpdateProductInput = z.object({
  id: ZId,
  name: ZName.optional(),
  description: ZDescription.optional(),
});
export type TUpdateProductInput = z.input<typeof ZUpdateProductInput>;

export async function updateProduct(ctx: DomainContext, input: TUpdateProductInput): Promise<ProductDto> {
  requirePermission(ctx.actor, "catalog.write");
  const { id, ...patch } = parseInput(ZUpdateProductInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const before = await tx.product.findUnique({ where: { id }, select: productSelect });
    if (!before) throw notFound("product", id);
    const product = await tx.product.update({ where: { id }, data: patch, select: productSelect });
    audit({ action: "product.update", targetType: "product", targetId: id, summary: changes(before, patch) });
    return toProductDto(product);
  });
}
