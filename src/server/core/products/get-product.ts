import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { productSelect, toProductDto, type ProductDto } from "./select.ts";

export const ZGetProductInput = z.object({ id: ZId });
export type TGetProductInput = z.input<typeof ZGetProductInput>;

export async function getProduct(ctx: DomainContext, input: TGetProductInput): Promise<ProductDto> {
  requirePermission(ctx.actor, "catalog.read");
  const { id } = parseInput(ZGetProductInput, input);
  const product = await ctx.db.product.findUnique({ where: { id }, select: productSelect });
  if (!product) throw notFound("product", id);
  return toProductDto(product);
}
