import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { findLicenseInScope } from "./find-license.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { ZUpdateLicenseInput, type TUpdateLicenseInput } from "./schemas.ts";

export async function updateLicense(ctx: DomainContext, input: TUpdateLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const { id, metadata, ...patch } = parseInput(ZUpdateLicenseInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const license = await findLicenseInScope(tx, ctx.actor, id);
    if (license.status === "revoked")
      throw failedPrecondition("the license is revoked; a revoked license cannot change");
    const before = await tx.license.findUniqueOrThrow({ where: { id }, select: licenseSelect });
    const data = { ...patch, ...(metadata !== undefined ? { metadata: JSON.stringify(metadata) } : {}) };
    const updated = await tx.license.update({ where: { id }, data, select: licenseSelect });
    audit({ action: "license.update", targetType: "license", targetId: id, summary: changes(before, data) });
    return toLicenseDto(updated, now);
  });
}
