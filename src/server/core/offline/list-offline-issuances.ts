import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId, ZPagination, type Page } from "../shared/schemas.ts";
import { offlineIssuanceSelect, type OfflineIssuanceDto } from "./select.ts";

export const ZListOfflineIssuancesInput = z.object({
  /** the license */
  id: ZId,
  ...ZPagination,
});
export type TListOfflineIssuancesInput = z.input<typeof ZListOfflineIssuancesInput>;

/** The offline files checked out for a license, newest first. */
export async function listOfflineIssuances(
  ctx: DomainContext,
  input: TListOfflineIssuancesInput,
): Promise<Page<OfflineIssuanceDto>> {
  requirePermission(ctx.actor, "license.read");
  const f = parseInput(ZListOfflineIssuancesInput, input);
  await findLicenseInScope(ctx.db, ctx.actor, f.id);
  const where = { licenseId: f.id };
  const [items, total] = await Promise.all([
    ctx.db.offlineIssuance.findMany({
      where,
      orderBy: [{ issuedAt: "desc" }, { id: "desc" }],
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
      select: offlineIssuanceSelect,
    }),
    ctx.db.offlineIssuance.count({ where }),
  ]);
  return { items, total, page: f.page, pageSize: f.pageSize };
}
