import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { groupScope, inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, ZQueryBoolean, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { containsText } from "../shared/text-search.ts";
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

export async function listCustomers(
  ctx: DomainContext,
  input: TListCustomersInput = {},
): Promise<Page<CustomerDto>> {
  requirePermission(ctx.actor, "customer.read");
  const { q, groupId, includeArchived, sort, direction, page, pageSize } = parseInput(
    ZListCustomersInput,
    input,
  );
  const where = customersWhere(ctx, { q, groupId, includeArchived });
  if (where === null) return { items: [], total: 0, page, pageSize };
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

/** The list's filters (parsed) without its sort and page: what the CSV export takes too. */
export type CustomerFilter = Pick<z.output<typeof ZListCustomersInput>, "q" | "groupId" | "includeArchived">;

/**
 * The list's filters as a `where`, within the actor's groups; null when nothing can match (a
 * group not theirs). The CSV export (export-customers.ts) uses it too.
 */
export function customersWhere(
  ctx: DomainContext,
  { q, groupId, includeArchived }: CustomerFilter,
): Prisma.CustomerWhereInput | null {
  if (groupId !== undefined && !inGroup(ctx.actor, groupId)) return null;
  const text = q ? containsText(ctx.provider, q) : undefined;
  const where: Prisma.CustomerWhereInput = {
    groupId: groupId ?? groupScope(ctx.actor),
    ...(includeArchived ? {} : { archivedAt: null }),
    ...(text ? { OR: [{ name: text }, { email: text }, { company: text }] } : {}),
  };
  return where;
}
