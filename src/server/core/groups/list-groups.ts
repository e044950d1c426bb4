import { z } from "zod";
import { groupScope, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { textWhere } from "../shared/text-search.ts";
import { ZPagination, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { groupSelect, toGroupDto, type GroupDto } from "./select.ts";

export const ZListGroupsInput = z.object({
  q: ZSearch,
  sort: z.enum(["name", "createdAt"]).default("name"),
  direction: ZSortDirection,
  ...ZPagination,
});
export type TListGroupsInput = z.input<typeof ZListGroupsInput>;

/** The groups the caller belongs to (super_admin: all). */
export async function listGroups(ctx: DomainContext, input: TListGroupsInput = {}): Promise<Page<GroupDto>> {
  requirePermission(ctx.actor, "group.read");
  const { q, sort, direction, page, pageSize } = parseInput(ZListGroupsInput, input);
  // (AND: on SQLite a search with a wildcard is itself an `id` filter)
  const where = {
    AND: [
      { id: groupScope(ctx.actor) },
      q ? await textWhere(ctx, { table: "Group", columns: ["name"] }, q) : {},
    ],
  };
  const [rows, total] = await Promise.all([
    ctx.db.group.findMany({
      where,
      orderBy: [{ [sort]: direction }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: groupSelect,
    }),
    ctx.db.group.count({ where }),
  ]);
  return { items: rows.map(toGroupDto), total, page, pageSize };
}
