import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, ZQueryBoolean, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { textWhere } from "../shared/text-search.ts";
import { ZRole } from "./schemas.ts";
import { adminSelect, toAdminDto, type AdminDto } from "./select.ts";

export const ZListAdminsInput = z.object({
  /** matches email or name */
  q: ZSearch,
  role: ZRole.optional(),
  groupId: ZId.optional(),
  disabled: ZQueryBoolean.optional(),
  sort: z.enum(["email", "name", "createdAt", "lastLoginAt"]).default("email"),
  direction: ZSortDirection,
  ...ZPagination,
});
export type TListAdminsInput = z.input<typeof ZListAdminsInput>;

export async function listAdmins(ctx: DomainContext, input: TListAdminsInput = {}): Promise<Page<AdminDto>> {
  requirePermission(ctx.actor, "admin.manage");
  const { q, role, groupId, disabled, sort, direction, page, pageSize } = parseInput(ZListAdminsInput, input);
  const text = q ? await textWhere(ctx, { table: "Admin", columns: ["email", "name"] }, q) : undefined;
  const where: Prisma.AdminWhereInput = {
    ...(role ? { role } : {}),
    ...(disabled !== undefined ? { disabled } : {}),
    ...(groupId ? { groups: { some: { groupId } } } : {}),
    ...text,
  };
  const [rows, total] = await Promise.all([
    ctx.db.admin.findMany({
      where,
      orderBy: [{ [sort]: direction }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: adminSelect,
    }),
    ctx.db.admin.count({ where }),
  ]);
  return { items: rows.map(toAdminDto), total, page, pageSize };
}
