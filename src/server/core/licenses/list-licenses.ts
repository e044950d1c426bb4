import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { groupScope, inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, zQueryInt, ZSearch, ZSortDirection, type Page } from "../shared/schemas.ts";
import { textWhere } from "../shared/text-search.ts";
import { keyFragments, normalizeLicenseKey } from "./license-key.ts";
import { LICENSE_TYPES, licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { LICENSE_STATUSES, statusWhere } from "./status.ts";

export const ZListLicensesInput = z.object({
  /** a whole license key, a part of one (four symbols or more), or text in the customer's name */
  q: ZSearch,
  customerId: ZId.optional(),
  productId: ZId.optional(),
  groupId: ZId.optional(),
  /** effective status: an active license past its expiry counts as expired */
  status: z.enum(LICENSE_STATUSES).optional(),
  type: z.enum(LICENSE_TYPES).optional(),
  /** active licenses that expire within this many days */
  expiringWithinDays: zQueryInt(1, 3650).optional(),
  sort: z.enum(["createdAt", "expiresAt", "updatedAt", "key"]).default("createdAt"),
  direction: ZSortDirection.default("desc"),
  ...ZPagination,
});
export type TListLicensesInput = z.input<typeof ZListLicensesInput>;

/** A name search matching more customers than this lists the licenses of the first ones only. */
const MAX_SEARCH_CUSTOMERS = 1000;

const { _count: _openSessions, ...listSelect } = licenseSelect;

type LicenseFilter = Omit<z.output<typeof ZListLicensesInput>, "sort" | "direction" | "page" | "pageSize">;

/**
 * The licenses a list (or an export of it) shows: the filter within the caller's groups, or null
 * when it names a group that is not theirs (nothing to show).
 */
export async function licenseWhere(
  ctx: DomainContext,
  filter: LicenseFilter,
): Promise<Prisma.LicenseWhereInput | null> {
  if (filter.groupId !== undefined && !inGroup(ctx.actor, filter.groupId)) return null;
  const now = ctx.clock.now();
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
      const name = await textWhere(ctx, { table: "Customer", columns: ["name"] }, filter.q);
      const customers = await ctx.db.customer.findMany({
        where: { AND: [name, { groupId: groupIds }] },
        select: { id: true },
        take: MAX_SEARCH_CUSTOMERS,
      });
      const fragments = keyFragments(filter.q);
      and.push({
        OR: [
          { customerId: { in: customers.map((c) => c.id) } },
          ...fragments.map((fragment) => ({ key: { contains: fragment } })),
        ],
      });
    }
  }
  return { AND: and };
}

export async function listLicenses(
  ctx: DomainContext,
  input: TListLicensesInput = {},
): Promise<Page<LicenseDto>> {
  requirePermission(ctx.actor, "license.read");
  const filter = parseInput(ZListLicensesInput, input);
  const { page, pageSize } = filter;
  const where = await licenseWhere(ctx, filter);
  if (!where) return { items: [], total: 0, page, pageSize };
  const now = ctx.clock.now();

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
