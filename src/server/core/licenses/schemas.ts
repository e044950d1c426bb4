// The licenses' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZDateTime, ZId, ZMetadata } from "../shared/schemas.ts";
import { LICENSE_TYPES, QUOTA_PERIODS } from "./select.ts";

export const ZEntitlementInput = z.object({
  featureId: ZId,
  /** metered features only: the allowed amount per period; null or absent = unlimited */
  quota: z.number().int().min(0).max(2_000_000_000).nullable().default(null),
  quotaPeriod: z.enum(QUOTA_PERIODS).default("total"),
});

export const ZEntitlementList = z
  .array(ZEntitlementInput)
  .max(500)
  .superRefine((list, issues) => {
    const seen = new Set<string>();
    list.forEach((entry, index) => {
      if (seen.has(entry.featureId)) {
        issues.addIssue({ code: "custom", path: [index, "featureId"], message: "feature listed twice" });
      }
      seen.add(entry.featureId);
    });
  });

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

/**
 * The grace period when none is given, by license type. Node-locked: 72 h, the bound machine
 * backs its tokens. Floating: 1 h, because a floating grace token is a lease on a seat: a machine
 * that crashed or lost its network keeps its seat until its last token expires, so a short period
 * gives the seat back soon (vendors wanting longer outages set it explicitly).
 */
export const DEFAULT_GRACE_PERIOD_HOURS = { floating: 1, node_locked: 72 } as const;

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
  /** absent: DEFAULT_GRACE_PERIOD_HOURS of the type (floating 1, node-locked 72) */
  gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
  offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.default(0),
  metadata: ZLicenseTerms.metadata.default({}),
  entitlements: ZEntitlementList.default([]),
});
export type TCreateLicenseInput = z.input<typeof ZCreateLicenseInput>;

/** Terms only: status changes, expiry and entitlements have their own operations. */
export const ZUpdateLicenseInput = z.object({
  id: ZId,
  type: ZLicenseTerms.type.optional(),
  seatLimit: ZLicenseTerms.seatLimit.optional(),
  heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.optional(),
  gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
  offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.optional(),
  metadata: ZLicenseTerms.metadata.optional(),
});
export type TUpdateLicenseInput = z.input<typeof ZUpdateLicenseInput>;

export const ZRenewLicenseInput = z
  .object({
    id: ZId,
    /** a new expiry (null: perpetual) */
    expiresAt: ZDateTime.nullable().optional(),
    /** or: extend from the current expiry (from now, if already past) */
    extendDays: z.number().int().min(1).max(3650).optional(),
  })
  .refine((v) => (v.expiresAt === undefined) !== (v.extendDays === undefined), {
    path: ["expiresAt"],
    error: "give either expiresAt or extendDays",
  });
export type TRenewLicenseInput = z.input<typeof ZRenewLicenseInput>;

export const ZSuspendLicenseInput = z.object({ id: ZId, reason: z.string().trim().max(500).optional() });
export type TSuspendLicenseInput = z.input<typeof ZSuspendLicenseInput>;

export const ZRevokeLicenseInput = z.object({ id: ZId, reason: z.string().trim().max(500).optional() });
export type TRevokeLicenseInput = z.input<typeof ZRevokeLicenseInput>;
