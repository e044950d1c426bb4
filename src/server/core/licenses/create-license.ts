import { z } from "zod";
import { requirePermission } from "../../auth/policy.ts";
import { findCustomerInScope } from "../customers/find-customer.ts";
import type { DomainContext } from "../context.ts";
import { DomainError, failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZDateTime, ZId, ZMetadata } from "../shared/schemas.ts";
import { resolveEntitlements, ZEntitlementList } from "./entitlements.ts";
import { generateLicenseKey } from "./license-key.ts";
import { LICENSE_TYPES, licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";

/** Terms of a license that can be set when issuing it and changed later. */
export const ZLicenseTerms = {
  type: z.enum(LICENSE_TYPES),
  seatLimit: z.number().int().min(1).max(1_000_000),
  heartbeatIntervalSeconds: z.number().int().min(30).max(86_400),
  gracePeriodHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 90),
  offlineAllowanceDays: z.number().int().min(0).max(365),
  metadata: ZMetadata,
};

export const ZCreateLicenseInput = z.object({
  customerId: ZId,
  productId: ZId,
  type: ZLicenseTerms.type.default("floating"),
  seatLimit: ZLicenseTerms.seatLimit.default(1),
  /** defaults to now */
  startsAt: ZDateTime.optional(),
  /** null: perpetual */
  expiresAt: ZDateTime.nullable().default(null),
  heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.default(300),
  gracePeriodHours: ZLicenseTerms.gracePeriodHours.default(72),
  offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.default(0),
  metadata: ZLicenseTerms.metadata.default({}),
  entitlements: ZEntitlementList.default([]),
});
export type TCreateLicenseInput = z.input<typeof ZCreateLicenseInput>;

const KEY_ATTEMPTS = 5;

export async function createLicense(ctx: DomainContext, input: TCreateLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const { entitlements, metadata, ...terms } = parseInput(ZCreateLicenseInput, input);
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
