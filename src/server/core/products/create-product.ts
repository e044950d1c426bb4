import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { productSelect, toProductDto, type ProductDto } from "./select.ts";
import { ZCreateProductInput, type TCreateProductInput } from "./schemas.ts";

export async function createProduct(ctx: DomainContext, input: TCreateProductInput): Promise<ProductDto> {
  requirePermission(ctx.actor, "catalog.write");
  const data = parseInput(ZCreateProductInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const product = await tx.product.create({ data, select: productSelect });
    audit({ action: "product.create", targetType: "product", targetId: product.id, summary: data });
    return toProductDto(product);
  });
}
