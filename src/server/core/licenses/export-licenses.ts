// The licenses list as a CSV export: the list's filters and sort (licenseWhere), every row in
// keyset pages.
import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { MAX_BULK_LICENSES } from "./bulk-change-schemas.ts";
import {
  keysetAfter,
  keysetOrderBy,
  keysetPages,
  mapPages,
  type KeysetOrder,
  type TableExport,
} from "../shared/table-export.ts";
import { licenseWhere, ZListLicensesInput } from "./list-licenses.ts";
import { effectiveStatus } from "./status.ts";

/**
 * The list's filters and sort; page and pageSize are ignored (every matching license). `ids`
 * (the admin UI's "Export selected", sent as a POST body) keeps to those licenses.
 */
export const ZExportLicensesInput = ZListLicensesInput.omit({ page: true, pageSize: true }).extend({
  ids: z.array(ZId).min(1).max(MAX_BULK_LICENSES).optional(),
});
export type TExportLicensesInput = z.input<typeof ZExportLicensesInput>;

const exportSelect = {
  id: true,
  key: true,
  status: true,
  statusReason: true,
  type: true,
  seatLimit: true,
  startsAt: true,
  expiresAt: true,
  suspendedAt: true,
  revokedAt: true,
  trial: true,
  createdAt: true,
  updatedAt: true,
  customer: { select: { id: true, name: true, groupId: true } },
  product: { select: { code: true, name: true } },
  policy: { select: { name: true } },
  entitlements: { select: { feature: { select: { code: true } } }, orderBy: { feature: { code: "asc" } } },
} satisfies Prisma.LicenseSelect;
type ExportRow = Prisma.LicenseGetPayload<{ select: typeof exportSelect }>;

export const LICENSE_EXPORT_COLUMNS = [
  "id",
  "key",
  "status",
  "statusReason",
  "type",
  "seatLimit",
  "openSessions",
  "customerId",
  "customerName",
  "groupId",
  "productCode",
  "productName",
  "policy",
  "features",
  "trial",
  "startsAt",
  "expiresAt",
  "suspendedAt",
  "revokedAt",
  "createdAt",
  "updatedAt",
] as const;

export async function exportLicenses(ctx: DomainContext, input: TExportLicensesInput): Promise<TableExport> {
  requirePermission(ctx.actor, "license.read");
  const filter = parseInput(ZExportLicensesInput, input);
  const now = ctx.clock.now();
  const listed = await licenseWhere(ctx, filter);
  const where = listed && filter.ids ? { AND: [listed, { id: { in: filter.ids } }] } : listed;
  const order: KeysetOrder = {
    field: filter.sort,
    direction: filter.direction,
    nullable: filter.sort === "expiresAt",
  };
  const pages = keysetPages<ExportRow>(async (after, take) =>
    where === null
      ? []
      : ctx.db.license.findMany({
          where: after ? { AND: [where, keysetAfter<Prisma.LicenseWhereInput>(order, after)] } : where,
          orderBy: keysetOrderBy<Prisma.LicenseOrderByWithRelationInput>(order),
          take,
          select: exportSelect,
        }),
  );
  return {
    name: "licenses",
    columns: LICENSE_EXPORT_COLUMNS,
    pages: mapPages(pages, async (rows) => {
      // open sessions of the page's licenses in one grouped query, as the list does
      const open = await ctx.db.session.groupBy({
        by: ["licenseId"],
        where: { licenseId: { in: rows.map((r) => r.id) }, endedAt: null },
        _count: { _all: true },
      });
      const openBy = new Map(open.map((o) => [o.licenseId, o._count._all]));
      return rows.map((row) => [
        row.id,
        row.key,
        effectiveStatus(row, now),
        row.statusReason,
        row.type,
        row.seatLimit,
        openBy.get(row.id) ?? 0,
        row.customer.id,
        row.customer.name,
        row.customer.groupId,
        row.product.code,
        row.product.name,
        row.policy?.name ?? null,
        row.entitlements.map((e) => e.feature.code).join(" "),
        row.trial,
        row.startsAt,
        row.expiresAt,
        row.suspendedAt,
        row.revokedAt,
        row.createdAt,
        row.updatedAt,
      ]);
    }),
  };
}
