import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { DomainError } from "../errors.ts";
import { licenseEventData } from "../events/payloads.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { issueSummary, resolveIssueTerms } from "./issue-terms.ts";
import { generateLicenseKey } from "./license-key.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { ZCreateLicenseInput, type TCreateLicenseInput } from "./schemas.ts";

const KEY_ATTEMPTS = 5;

/**
 * Retries `issue` with fresh keys while the key was taken. 125 random bits make a collision
 * practically impossible; the unique index decides anyway.
 */
export async function withFreshKeys<T>(issue: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await issue();
    } catch (error) {
      const keyTaken =
        error instanceof DomainError &&
        error.code === "CONFLICT" &&
        error.fields.some((f) => f.path.includes("key"));
      if (!keyTaken || attempt >= KEY_ATTEMPTS) throw error;
    }
  }
}

/**
 * Issues a license: from a policy (its terms, except those the input gives: the overrides), or
 * with the terms the input gives and the defaults.
 */
export async function createLicense(ctx: DomainContext, input: TCreateLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const parsed = parseInput(ZCreateLicenseInput, input);
  const startsAt = parsed.startsAt ?? ctx.clock.now();

  return withFreshKeys(() =>
    mutate(ctx, async ({ tx, now, audit, emit }) => {
      const terms = await resolveIssueTerms(tx, ctx.actor, parsed, startsAt);
      const license = await tx.license.create({
        data: {
          ...terms.data,
          key: generateLicenseKey(),
          status: "active",
          entitlements: { create: terms.entitlements },
        },
        select: licenseSelect,
      });
      audit({
        action: "license.create",
        targetType: "license",
        targetId: license.id,
        summary: issueSummary(terms),
      });
      emit({
        type: "license.created",
        licenseId: license.id,
        data: { license: await licenseEventData(tx, license.id, now) },
      });
      return toLicenseDto(license, now);
    }),
  );
}
