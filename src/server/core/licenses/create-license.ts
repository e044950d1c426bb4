import { requirePermission } from "../access/policy.ts";
import { findCustomerInScope } from "../customers/find-customer.ts";
import type { DomainContext } from "../context.ts";
import { DomainError, failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { resolveEntitlements } from "./entitlements.ts";
import { generateLicenseKey } from "./license-key.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { DEFAULT_GRACE_PERIOD_HOURS, ZCreateLicenseInput, type TCreateLicenseInput } from "./schemas.ts";

const KEY_ATTEMPTS = 5;

export async function createLicense(ctx: DomainContext, input: TCreateLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const { entitlements, metadata, ...given } = parseInput(ZCreateLicenseInput, input);
  const terms = {
    ...given,
    gracePeriodHours: given.gracePeriodHours ?? DEFAULT_GRACE_PERIOD_HOURS[given.type],
  };
  const startsAt = terms.startsAt ?? ctx.clock.now();
  if (terms.expiresAt && terms.expiresAt <= startsAt) {
    throw invalidArgument("expiresAt: must be after startsAt", [
      { path: "expiresAt", message: "must be after startsAt" },
    ]);
  }

  // 125 random bits make a collision practically impossible; the unique index decides anyway.
  for (let attempt = 1; ; attempt++) {
    try {
      return await issue(generateLicenseKey());
    } catch (error) {
      const keyTaken =
        error instanceof DomainError &&
        error.code === "CONFLICT" &&
        error.fields.some((f) => f.path.includes("key"));
      if (!keyTaken || attempt >= KEY_ATTEMPTS) throw error;
    }
  }

  function issue(key: string): Promise<LicenseDto> {
    return mutate(ctx, async ({ tx, now, audit }) => {
      const customer = await findCustomerInScope(tx, ctx.actor, terms.customerId);
      if (customer.archivedAt) throw failedPrecondition(`customer "${customer.name}" is archived`);
      const product = await tx.product.findUnique({
        where: { id: terms.productId },
        select: { code: true, archivedAt: true },
      });
      if (!product) throw notFound("product", terms.productId);
      if (product.archivedAt) throw failedPrecondition(`product ${product.code} is archived`);
      const resolved = await resolveEntitlements(tx, terms.productId, entitlements);

      const license = await tx.license.create({
        data: {
          ...terms,
          key,
          startsAt,
          status: "active",
          metadata: JSON.stringify(metadata),
          entitlements: { create: resolved },
        },
        select: licenseSelect,
      });
      audit({
        action: "license.create",
        targetType: "license",
        targetId: license.id,
        summary: {
          ...terms,
          startsAt,
          product: product.code,
          customer: customer.name,
          entitlements: resolved,
        },
      });
      return toLicenseDto(license, now);
    });
  }
}
