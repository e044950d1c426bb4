import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import type { Page } from "../shared/schemas.ts";
import { textWhere } from "../shared/text-search.ts";
import { ZListPoliciesInput, type TListPoliciesInput } from "./schemas.ts";
import { policySelectFor, toPolicyDto, type PolicyDto } from "./select.ts";

/** A product's policies by name (of a kind, matching a search); archived ones only when asked for. */
export async function listPolicies(ctx: DomainContext, input: TListPoliciesInput): Promise<Page<PolicyDto>> {
  requirePermission(ctx.actor, "policy.read");
  const { productId, q, kind, includeArchived, page, pageSize } = parseInput(ZListPoliciesInput, input);
  const where = {
    productId,
    ...(kind ? { kind } : {}),
    ...(includeArchived ? {} : { archivedAt: null }),
    ...(q ? await textWhere(ctx, { table: "Policy", columns: ["name"] }, q) : {}),
  };
  const [product, rows, total] = await Promise.all([
    ctx.db.product.findUnique({ where: { id: productId }, select: { id: true } }),
    ctx.db.policy.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: policySelectFor(ctx.actor),
    }),
    ctx.db.policy.count({ where }),
  ]);
  if (!product) throw notFound("product", productId);
  return { items: rows.map(toPolicyDto), total, page, pageSize };
}
