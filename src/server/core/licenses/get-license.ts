import { z } from "zod";
import { inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { normalizeLicenseKey } from "./license-key.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";

/** By id, or by key in any form a person may type it (case, dashes, O/0, I/L/1). */
export const ZGetLicenseInput = z
  .object({ id: ZId.optional(), key: z.string().trim().min(1, "is required").max(64).optional() })
  .refine((v) => (v.id === undefined) !== (v.key === undefined), {
    path: ["id"],
    error: "give either id or key",
  });
export type TGetLicenseInput = z.input<typeof ZGetLicenseInput>;

export async function getLicense(ctx: DomainContext, input: TGetLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.read");
  const parsed = parseInput(ZGetLicenseInput, input);
  let where: { id: string } | { key: string };
  if (parsed.id !== undefined) {
    where = { id: parsed.id };
  } else {
    const key = normalizeLicenseKey(parsed.key ?? "");
    if (!key) throw notFound("license");
    where = { key };
  }
  const license = await ctx.db.license.findUnique({ where, select: licenseSelect });
  if (!license || !inGroup(ctx.actor, license.customer.groupId)) throw notFound("license");
  return toLicenseDto(license, ctx.clock.now());
}
