// Input schemas of the trials area (the admin UI's filters and the conversion form use them; free
// of server code, so StartTrial's input, which needs the licensing schemas, lives in start-trial.ts).
import { z } from "zod";
import { ZLicenseTerms } from "../licenses/schemas.ts";
import { EXPIRY_STRATEGIES } from "../licenses/select.ts";
import { ZDateTime, ZId, ZPagination } from "../shared/schemas.ts";

/** active: running; expired: its period is over, not converted; converted: became (or led to) a paid license */
export const TRIAL_STATUSES = ["active", "expired", "converted"] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** admin: an admin converted the trial license itself; key_entered: a paid key was used on the machine */
export const TRIAL_CONVERTED_BY = ["admin", "key_entered"] as const;
export type TrialConvertedBy = (typeof TRIAL_CONVERTED_BY)[number];

export const ZListTrialsInput = z.object({
  productId: ZId.optional(),
  status: z.enum(TRIAL_STATUSES).optional(),
  ...ZPagination,
});
export type TListTrialsInput = z.input<typeof ZListTrialsInput>;

export const ZTrialStatsInput = z.object({ productId: ZId.optional() });
export type TTrialStatsInput = z.input<typeof ZTrialStatsInput>;

/**
 * Terms given by hand when converting without a policy; each left out keeps the trial license's
 * value (except type and seats, which default to a node-locked single seat as the trial had).
 */
export const ZConvertTerms = z.object({
  type: ZLicenseTerms.type.optional(),
  seatLimit: ZLicenseTerms.seatLimit.optional(),
  heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.optional(),
  gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
  offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.optional(),
  expiryStrategy: z.enum(EXPIRY_STRATEGIES).optional(),
});

export const ZConvertTrialInput = z
  .object({
    trialId: ZId,
    /** the paying customer the license moves to */
    customerId: ZId,
    /** a standard policy of the same product: its terms and entitlements replace the trial's */
    policyId: ZId.optional(),
    terms: ZConvertTerms.optional(),
    /** the paid license's expiry; default: the policy's duration from now, else perpetual */
    expiresAt: ZDateTime.nullable().optional(),
  })
  .superRefine((value, issues) => {
    if (value.policyId !== undefined && value.terms !== undefined) {
      issues.addIssue({ code: "custom", path: ["terms"], message: "give a policy or terms, not both" });
    }
  });
export type TConvertTrialInput = z.input<typeof ZConvertTrialInput>;
