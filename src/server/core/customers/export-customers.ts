// The customers list as a CSV export: the list's filters and sort (customerWhere), every row in
// keyset pages.
import type { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  keysetAfter,
  keysetOrderBy,
  keysetPages,
  mapPages,
  type KeysetOrder,
  type TableExport,
} from "../shared/table-export.ts";
import { customerWhere, ZListCustomersInput } from "./list-customers.ts";
import { customerSelect } from "./select.ts";

/** The list's filters and sort; page and pageSize are ignored (every matching customer). */
export const ZExportCustomersInput = ZListCustomersInput.omit({ page: true, pageSize: true });
export type TExportCustomersInput = z.input<typeof ZExportCustomersInput>;

export const CUSTOMER_EXPORT_COLUMNS = [
  "id",
  "name",
  "email",
  "company",
  "groupId",
  "groupName",
  "licenses",
  "notes",
  "archivedAt",
  "createdAt",
  "updatedAt",
] as const;

export async function exportCustomers(
  ctx: DomainContext,
  input: TExportCustomersInput,
): Promise<TableExport> {
  requirePermission(ctx.actor, "customer.read");
  const filter = parseInput(ZExportCustomersInput, input);
  const where = await customerWhere(ctx, filter);
  const order: KeysetOrder = { field: filter.sort, direction: filter.direction };
  const pages = keysetPages<Prisma.CustomerGetPayload<{ select: typeof customerSelect }>>(
    async (after, take) =>
      where === null
        ? []
        : ctx.db.customer.findMany({
            where: after ? { AND: [where, keysetAfter<Prisma.CustomerWhereInput>(order, after)] } : where,
            orderBy: keysetOrderBy<Prisma.CustomerOrderByWithRelationInput>(order),
            take,
            select: customerSelect,
          }),
  );
  return {
    name: "customers",
    columns: CUSTOMER_EXPORT_COLUMNS,
    pages: mapPages(pages, (rows) =>
      rows.map((row) => [
        row.id,
        row.name,
        row.email,
        row.company,
        row.groupId,
        row.group.name,
        row._count.licenses,
        row.notes,
        row.archivedAt,
        row.createdAt,
        row.updatedAt,
      ]),
    ),
  };
}
