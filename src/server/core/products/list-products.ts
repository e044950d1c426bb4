import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZPagination, ZQueryBoolean, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { textWhere } from "../shared/text-search.ts";
import { productSelect, toProductDto, type ProductDto } from "./select.ts";

export const ZListProductsInput = z.object({
  q: ZSearch,
  includeArchived: ZQueryBoolean.default(false),
  sort: z.enum(["name", "code", "createdAt"]).default("name"),
  direction: ZSortDirection,
  ...ZPagination,
});
export type TListProductsInput = z.input<typeof ZListProductsInput>;

export async function listProducts(
  ctx: DomainContext,
  input: TListProductsInput = {},
): Promise<Page<ProductDto>> {
  requirePermission(ctx.actor, "catalog.read");
  const { q, includeArchived, sort, direction, page, pageSize } = parseInput(ZListProductsInput, input);
  const where = {
    ...(includeArchived ? {} : { archivedAt: null }),
    ...(q ? await textWhere(ctx, { table: "Product", columns: ["name", "code"] }, q) : {}),
  };
  const [rows, total] = await Promise.all([
    ctx.db.product.findMany({
      where,
      orderBy: [{ [sort]: direction }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: productSelect,
    }),
    ctx.db.product.count({ where }),
  ]);
  return { items: rows.map(toProductDto), total, page, pageSize };
}
