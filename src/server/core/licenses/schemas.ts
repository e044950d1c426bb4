// The licenses' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { addIssues, POLICY_TERMS, termContradictions } from "../policies/terms.ts";
import { inUnits, RELATION_MESSAGES } from "../shared/messages.ts";
import { ZDateTime, ZId, ZMetadata } from "../shared/schemas.ts";
import {
  DURATION_FROM,
  EXPIRY_STRATEGIES,
  LICENSE_TYPES,
  MACHINE_MATCHING,
  OVERAGE_LEVELS,
  QUOTA_PERIODS,
} from "./select.ts";

export const ZEntitlementInput = z.object({
  featureId: ZId,
  /** metered features only: the allowed amount per period; null or absent = unlimited */
  quota: inUnits(z.number().int().min(0).max(2_000_000_000), "unit").nullable().default(null),
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
  seatLimit: inUnits(z.number().int().min(1).max(1_000_000), "seat"),
  heartbeatIntervalSeconds: inUnits(z.number().int().min(30).max(86_400), "second"),
  gracePeriodHours: inUnits(
    z
      .number()
      .int()
      .min(0)
      .max(24 * 90),
    "hour",
  ),
  offlineAllowanceDays: inUnits(z.number().int().min(0).max(365), "day"),
  /** days the license runs (from issue or from the first activation); null: perpetual */
  durationDays: inUnits(z.number().int().min(1).max(36_500), "day").nullable(),
  durationFrom: z.enum(DURATION_FROM),
  /** days between required online validations; null: none required */
  checkInIntervalDays: inUnits(z.number().int().min(1).max(365), "day").nullable(),
  expiryStrategy: z.enum(EXPIRY_STRATEGIES),
  overage: z.enum(OVERAGE_LEVELS),
  machineMatching: z.enum(MACHINE_MATCHING),
  metadata: ZMetadata,
};

/**
 * The grace period when none is given, by license type. Node-locked: 72 h, the bound machine
 * backs its tokens. Floating: 1 h, because a floating grace token is a lease on a seat: a machine
 * that crashed or lost its network keeps its seat until its last token expires, so a short period
 * gives the seat back soon (vendors wanting longer outages set it explicitly).
 */
export const DEFAULT_GRACE_PERIOD_HOURS = { floating: 1, node_locked: 72 } as const;

/**
 * The grace period when none is given: DEFAULT_GRACE_PERIOD_HOURS of the type, shortened to the
 * check-in interval when there is one (a grace token never outlives the next required check-in).
 */
export function defaultGracePeriodHours(
  type: keyof typeof DEFAULT_GRACE_PERIOD_HOURS,
  checkInIntervalDays: number | null,
): number {
  const hours = DEFAULT_GRACE_PERIOD_HOURS[type];
  return checkInIntervalDays === null ? hours : Math.min(hours, checkInIntervalDays * 24);
}

/**
 * The terms of a license being issued. With a policy, each term given here overrides the
 * policy's (and is listed in the license's `overrides`); without one, absent terms take the
 * defaults: floating, 1 seat, perpetual, heartbeat 300 s, grace per type, no offline files, no
 * required check-in, restrict, no overage, fingerprint matching, no entitlements.
 */
const issueTerms = {
  type: ZLicenseTerms.type.optional(),
  seatLimit: ZLicenseTerms.seatLimit.optional(),
  /** defaults to now */
  startsAt: ZDateTime.optional(),
  /** a fixed expiry (null: perpetual); or give durationDays */
  expiresAt: ZDateTime.nullable().optional(),
  durationDays: ZLicenseTerms.durationDays.optional(),
  /** with a duration: "issue" (expiresAt = startsAt + durationDays) or "first_activation" */
  durationFrom: ZLicenseTerms.durationFrom.optional(),
  heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.optional(),
  /** absent: the policy's, else defaultGracePeriodHours (floating 1, node-locked 72) */
  gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
  offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.optional(),
  checkInIntervalDays: ZLicenseTerms.checkInIntervalDays.optional(),
  expiryStrategy: ZLicenseTerms.expiryStrategy.optional(),
  overage: ZLicenseTerms.overage.optional(),
  machineMatching: ZLicenseTerms.machineMatching.optional(),
  metadata: ZLicenseTerms.metadata.default({}),
  /** absent: the policy's entitlements (none without a policy) */
  entitlements: ZEntitlementList.optional(),
};

function refineIssueTerms(
  value: { startsAt?: Date; expiresAt?: Date | null; durationDays?: number | null; durationFrom?: string },
  ctx: z.RefinementCtx,
): void {
  if (value.expiresAt != null && value.durationDays != null) {
    ctx.addIssue({
      code: "custom",
      path: ["durationDays"],
      message: RELATION_MESSAGES.expiryOrDuration,
    });
  }
  if (value.expiresAt != null && value.durationFrom === "first_activation") {
    ctx.addIssue({
      code: "custom",
      path: ["durationFrom"],
      message:
        "a fixed expiry date does not count from the first activation; give a duration in days instead",
    });
  }
  if (value.startsAt != null && value.expiresAt != null && value.expiresAt <= value.startsAt) {
    ctx.addIssue({ code: "custom", path: ["expiresAt"], message: RELATION_MESSAGES.expiryAfterStart });
  }
  addIssues(ctx, termContradictions(value as Parameters<typeof termContradictions>[0]));
}

export const ZCreateLicenseInput = z
  .object({
    customerId: ZId,
    /** required unless policyId is given (the policy's product) */
    productId: ZId.optional(),
    /** a standard policy of the product: the license inherits its terms */
    policyId: ZId.optional(),
    ...issueTerms,
  })
  .superRefine((value, ctx) => {
    if (value.productId === undefined && value.policyId === undefined) {
      ctx.addIssue({ code: "custom", path: ["productId"], message: "is required (or choose a policy)" });
    }
    refineIssueTerms(value, ctx);
  });
export type TCreateLicenseInput = z.input<typeof ZCreateLicenseInput>;

/** N licenses for one customer from one policy, in one transaction. */
export const ZIssueLicensesInput = z
  .object({
    customerId: ZId,
    policyId: ZId,
    count: inUnits(z.number().int().min(1).max(1000), "license"),
    ...issueTerms,
  })
  .superRefine(refineIssueTerms);
export type TIssueLicensesInput = z.input<typeof ZIssueLicensesInput>;

/**
 * Terms and the expiry: status changes and entitlements have their own operations. On a license
 * issued from a policy a changed term becomes an override (a new expiry makes `duration` one);
 * `inherit` resets terms to the policy's current values and drops them from the overrides.
 */
export const ZUpdateLicenseInput = z
  .object({
    id: ZId,
    type: ZLicenseTerms.type.optional(),
    seatLimit: ZLicenseTerms.seatLimit.optional(),
    heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.optional(),
    gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
    offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.optional(),
    checkInIntervalDays: ZLicenseTerms.checkInIntervalDays.optional(),
    expiryStrategy: ZLicenseTerms.expiryStrategy.optional(),
    overage: ZLicenseTerms.overage.optional(),
    machineMatching: ZLicenseTerms.machineMatching.optional(),
    metadata: ZLicenseTerms.metadata.optional(),
    /** a fixed expiry (null: perpetual), after the license's start; the same date changes nothing */
    expiresAt: ZDateTime.nullable().optional(),
    inherit: z.array(z.enum(POLICY_TERMS)).max(POLICY_TERMS.length).optional(),
  })
  .superRefine((value, ctx) => {
    (value.inherit ?? []).forEach((term, index) => {
      const given = term === "duration" ? value.expiresAt : term === "entitlements" ? undefined : value[term];
      if (given !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["inherit", index],
          message: `${term} is both set and inherited; do one or the other`,
        });
      }
    });
    addIssues(ctx, termContradictions(value));
  });
export type TUpdateLicenseInput = z.input<typeof ZUpdateLicenseInput>;

/** A license's whole set of entitlements (replaces the current one). */
export const ZSetEntitlementsInput = z.object({ id: ZId, entitlements: ZEntitlementList });
export type TSetEntitlementsInput = z.input<typeof ZSetEntitlementsInput>;

export const ZRenewLicenseInput = z
  .object({
    id: ZId,
    /** a new expiry (null: perpetual) */
    expiresAt: ZDateTime.nullable().optional(),
    /** or: extend from the current expiry (from now, if already past) */
    extendDays: inUnits(z.number().int().min(1).max(3650), "day").optional(),
  })
  .refine((v) => (v.expiresAt === undefined) !== (v.extendDays === undefined), {
    path: ["expiresAt"],
    error: RELATION_MESSAGES.expiryOrExtension,
  });
export type TRenewLicenseInput = z.input<typeof ZRenewLicenseInput>;

export const ZSuspendLicenseInput = z.object({ id: ZId, reason: z.string().trim().max(500).optional() });
export type TSuspendLicenseInput = z.input<typeof ZSuspendLicenseInput>;

export const ZRevokeLicenseInput = z.object({ id: ZId, reason: z.string().trim().max(500).optional() });
export type TRevokeLicenseInput = z.input<typeof ZRevokeLicenseInput>;
