import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { entitlementsEventData, licenseEventData } from "../events/payloads.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { parseOverrides, sortTerms } from "../policies/terms.ts";
import { resolveEntitlements } from "./entitlements.ts";
import { ZSetEntitlementsInput, type TSetEntitlementsInput } from "./schemas.ts";
import { findLicenseInScope } from "./find-license.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";

// the schema lives in schemas.ts (the admin UI's dialog uses it); importers of this file keep it

/**
 * Replaces the license's entitlements with the given set. On a license issued from a policy, the
 * entitlements become an override: the policy's later entitlement changes no longer reach it.
 */

export async function setEntitlements(ctx: DomainContext, input: TSetEntitlementsInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const { id, entitlements } = parseInput(ZSetEntitlementsInput, input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const license = await findLicenseInScope(tx, ctx.actor, id);
    if (license.status === "revoked")
      throw failedPrecondition("the license is revoked; a revoked license cannot change");
    const resolved = await resolveEntitlements(tx, license.productId, entitlements);
    const before = await tx.entitlement.findMany({
      where: { licenseId: id },
      select: { featureId: true, quota: true, quotaPeriod: true },
    });
    const listedBefore = await entitlementsEventData(tx, id);
    const keep = resolved.map((e) => e.featureId);
    await tx.entitlement.deleteMany({ where: { licenseId: id, featureId: { notIn: keep } } });
    for (const entry of resolved) {
      await tx.entitlement.upsert({
        where: { licenseId_featureId: { licenseId: id, featureId: entry.featureId } },
        create: { licenseId: id, ...entry },
        update: { quota: entry.quota, quotaPeriod: entry.quotaPeriod },
        select: { id: true },
      });
    }
    const own = await tx.license.findUniqueOrThrow({
      where: { id },
      select: { policyId: true, overrides: true },
    });
    const overrides = parseOverrides(own.overrides);
    const override = own.policyId !== null && !overrides.includes("entitlements");
    if (override) {
      await tx.license.update({
        where: { id },
        data: { overrides: JSON.stringify(sortTerms([...overrides, "entitlements"])) },
        select: { id: true },
      });
    }
    audit({
      action: "license.entitlements",
      targetType: "license",
      targetId: id,
      summary: { from: before, to: resolved, ...(override ? { overrides: "entitlements" } : {}) },
    });
    const listedAfter = await entitlementsEventData(tx, id);
    if (JSON.stringify(listedBefore) !== JSON.stringify(listedAfter)) {
      emit({
        type: "license.updated",
        licenseId: id,
        data: {
          license: await licenseEventData(tx, id, now),
          changes: { entitlements: { from: listedBefore, to: listedAfter } },
        },
      });
    }
    const updated = await tx.license.findUniqueOrThrow({ where: { id }, select: licenseSelect });
    return toLicenseDto(updated, now);
  });
}
