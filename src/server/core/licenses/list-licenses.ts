import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { groupScope, inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, zQueryInt, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { containsText } from "../shared/text-search.ts";
import { normalizeLicenseKey } from "./license-key.ts";
import { LICENSE_TYPES, licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { LICENSE_STATUSES, statusWhere } from "./status.ts";

export const ZListLicensesInput = z.object({
  /** a whole license key, or text in the customer's name */
  q: ZSearch,
  customerId: ZId.optional(),
  productId: ZId.optional(),
  groupId: ZId.optional(),
  /** effective status: an active license past its expiry counts as expired */
  status: z.enum(LICENSE_STATUSES).optional(),
  type: z.enum(LICENSE_TYPES).optional(),
  /** active licenses that expire within this many days */
  expiringWithinDays: zQueryInt(1, 3650, "day").optional(),
  sort: z.enum(["createdAt", "expiresAt", "updatedAt", "key"]).default("createdAt"),
  direction: ZSortDirection.default("desc"),
  ...ZPagination,
});
export type TListLicensesInput = z.input<typeof ZListLicensesInput>;

/** A name search matching more customers than this lists the licenses of the first ones only. */
const MAX_SEARCH_CUSTOMERS = 1000;

const { _count: _openSessions, ...listSelect } = licenseSelect;

export async function listLicenses(
  ctx: DomainContext,
  input: TListLicensesInput = {},
): Promise<Page<LicenseDto>> {
  requirePermission(ctx.actor, "license.read");
  const filter = parseInput(ZListLicensesInput, input);
  const { page, pageSize } = filter;
  const now = ctx.clock.now();
  const where = await licensesWhere(ctx, filter, now);
  if (where === null) return { items: [], total: 0, page, pageSize };
  return listPage(ctx, filter, where, now);
}

/** The list's filters (parsed) without its sort and page: what the CSV export takes too. */
export type LicenseFilter = Omit<
  z.output<typeof ZListLicensesInput>,
  "sort" | "direction" | "page" | "pageSize"
>;

/**
 * The list's filters as a `where`, within the actor's groups; null when nothing can match (a
 * group not theirs). The CSV export (export-licenses.ts) uses it too.
 */
export async function licensesWhere(
  ctx: DomainContext,
  filter: LicenseFilter,
  now: Date,
): Promise<Prisma.LicenseWhereInput | null> {
  if (filter.groupId !== undefined && !inGroup(ctx.actor, filter.groupId)) return null;

  // (no relation filter at all when nothing limits the groups: it would join every row)
  const groupIds = filter.groupId ?? groupScope(ctx.actor);
  const and: Prisma.LicenseWhereInput[] = groupIds === undefined ? [] : [{ customer: { groupId: groupIds } }];
  if (filter.customerId) and.push({ customerId: filter.customerId });
  if (filter.productId) and.push({ productId: filter.productId });
  if (filter.type) and.push({ type: filter.type });
  if (filter.status) and.push(statusWhere(filter.status, now));
  if (filter.expiringWithinDays) {
    const until = new Date(now.getTime() + filter.expiringWithinDays * 86_400_000);
    and.push({ status: "active", expiresAt: { gt: now, lte: until } });
  }
  if (filter.q) {
    const key = normalizeLicenseKey(filter.q);
    if (key) {
      and.push({ key });
    } else {
      // customers first (few), then their licenses by the indexed customerId: a relation filter
      // would test the name for every license row
      const customers = await ctx.db.customer.findMany({
        where: {
          name: containsText(ctx.provider, filter.q),
          groupId: filter.groupId ?? groupScope(ctx.actor),
        },
        select: { id: true },
        take: MAX_SEARCH_CUSTOMERS,
      });
      and.push({ customerId: { in: customers.map((c) => c.id) } });
    }
  }
  const where: Prisma.LicenseWhereInput = { AND: and };
  return where;
}

async function listPage(
  ctx: DomainContext,
  filter: z.output<typeof ZListLicensesInput>,
  where: Prisma.LicenseWhereInput,
  now: Date,
): Promise<Page<LicenseDto>> {
  const { page, pageSize } = filter;
  const [rows, total] = await Promise.all([
    ctx.db.license.findMany({
      where,
      // the tiebreaker runs the same way, so one (sort key, id) index serves the whole order
      orderBy: [{ [filter.sort]: filter.direction }, { id: filter.direction }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: listSelect,
    }),
    ctx.db.license.count({ where }),
  ]);
  // open sessions for the page's licenses in one grouped query (as a relation count in the
  // select above, it cost ~45 ms per page on PostgreSQL at 100k licenses)
  const open = await ctx.db.session.groupBy({
    by: ["licenseId"],
    where: { licenseId: { in: rows.map((r) => r.id) }, endedAt: null },
    _count: { _all: true },
  });
  const openBy = new Map(open.map((o) => [o.licenseId, o._count._all]));
  const items = rows.map((row) =>
    toLicenseDto({ ...row, _count: { sessions: openBy.get(row.id) ?? 0 } }, now),
  );
  return { items, total, page, pageSize };
}
