import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { groupScope, inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, ZQueryBoolean, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { textWhere } from "../shared/text-search.ts";
import { customerSelect, toCustomerDto, type CustomerDto } from "./select.ts";

export const ZListCustomersInput = z.object({
  /** matches name, email or company */
  q: ZSearch,
  groupId: ZId.optional(),
  includeArchived: ZQueryBoolean.default(false),
  sort: z.enum(["name", "createdAt", "updatedAt"]).default("name"),
  direction: ZSortDirection,
  ...ZPagination,
});
export type TListCustomersInput = z.input<typeof ZListCustomersInput>;

type CustomerFilter = Pick<z.output<typeof ZListCustomersInput>, "q" | "groupId" | "includeArchived">;

/**
 * The customers a list (or an export of it) shows: the filter within the caller's groups, or null
 * when it names a group that is not theirs (nothing to show).
 */
export async function customerWhere(
  ctx: DomainContext,
  { q, groupId, includeArchived }: CustomerFilter,
): Promise<Prisma.CustomerWhereInput | null> {
  if (groupId !== undefined && !inGroup(ctx.actor, groupId)) return null;
  return {
    groupId: groupId ?? groupScope(ctx.actor),
    ...(includeArchived ? {} : { archivedAt: null }),
    ...(q ? await textWhere(ctx, { table: "Customer", columns: ["name", "email", "company"] }, q) : {}),
  };
}

export async function listCustomers(
  ctx: DomainContext,
  input: TListCustomersInput = {},
): Promise<Page<CustomerDto>> {
  requirePermission(ctx.actor, "customer.read");
  const filter = parseInput(ZListCustomersInput, input);
  const { sort, direction, page, pageSize } = filter;
  const where = await customerWhere(ctx, filter);
  if (!where) return { items: [], total: 0, page, pageSize };
  const [rows, total] = await Promise.all([
    ctx.db.customer.findMany({
      where,
      orderBy: [{ [sort]: direction }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: customerSelect,
    }),
    ctx.db.customer.count({ where }),
  ]);
  return { items: rows.map(toCustomerDto), total, page, pageSize };
}
