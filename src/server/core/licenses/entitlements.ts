import type { z } from "zod";
import type { Tx } from "../../db/client.ts";
import { invalidArgument, type FieldIssue } from "../errors.ts";
import { type QuotaPeriod } from "./select.ts";
import type { ZEntitlementList } from "./schemas.ts";

export interface ResolvedEntitlement {
  featureId: string;
  quota: number | null;
  quotaPeriod: QuotaPeriod;
}

/**
 * Checks entitlements against the product's features: each must be a feature of the product,
 * and only metered features take a quota.
 */
export async function resolveEntitlements(
  tx: Tx,
  productId: string,
  entries: z.output<typeof ZEntitlementList>,
  path = "entitlements",
): Promise<ResolvedEntitlement[]> {
  if (entries.length === 0) return [];
  const features = await tx.feature.findMany({
    where: { id: { in: entries.map((e) => e.featureId) } },
    select: { id: true, productId: true, kind: true, code: true },
  });
  const byId = new Map(features.map((f) => [f.id, f]));
  const issues: FieldIssue[] = [];
  entries.forEach((entry, index) => {
    const feature = byId.get(entry.featureId);
    if (!feature || feature.productId !== productId) {
      issues.push({ path: `${path}.${index}.featureId`, message: "not a feature of this license's product" });
    } else if (feature.kind !== "metered" && entry.quota !== null) {
      issues.push({
        path: `${path}.${index}.quota`,
        message: `feature ${feature.code} is not metered and takes no quota`,
      });
    }
  });
  if (issues.length > 0) {
    throw invalidArgument(
      `invalid entitlements: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    );
  }
  return entries.map((e) => ({ featureId: e.featureId, quota: e.quota, quotaPeriod: e.quotaPeriod }));
}
