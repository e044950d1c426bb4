// The policies' input schemas, free of server code: the admin UI's forms use them too. The pure
// contradiction checks run here (see terms.ts); the ones that need the database (a feature's kind
// and product) run in the operations.
import { z } from "zod";
import { ZEntitlementList, ZLicenseTerms } from "../licenses/schemas.ts";
import { ZDescription, ZId, ZName, ZPagination, ZQueryBoolean, ZSearch } from "../shared/schemas.ts";
import { addIssues, POLICY_TERMS, termContradictions, trialContradictions } from "./terms.ts";

export const POLICY_KINDS = ["standard", "trial"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const ZCreatePolicyInput = z
  .object({
    productId: ZId,
    name: ZName,
    description: ZDescription.default(""),
    /** trial: what StartTrial issues from (at most one live per product) */
    kind: z.enum(POLICY_KINDS).default("standard"),
    type: ZLicenseTerms.type.default("floating"),
    seatLimit: ZLicenseTerms.seatLimit.default(1),
    /** null: perpetual */
    durationDays: ZLicenseTerms.durationDays.default(null),
    durationFrom: ZLicenseTerms.durationFrom.default("issue"),
    heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.default(300),
    /** absent: the type's default (floating 1, node-locked 72), at most the check-in interval */
    gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
    offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.default(0),
    /** null: no check-in required */
    checkInIntervalDays: ZLicenseTerms.checkInIntervalDays.default(null),
    expiryStrategy: ZLicenseTerms.expiryStrategy.default("restrict"),
    overage: ZLicenseTerms.overage.default("none"),
    machineMatching: ZLicenseTerms.machineMatching.default("fingerprint"),
    entitlements: ZEntitlementList.default([]),
    /** trial policies: the group of the customer "Trials: <product>" their licenses belong to */
    trialGroupId: ZId.optional(),
  })
  .superRefine((value, ctx) => {
    addIssues(ctx, termContradictions(value));
    if (value.kind === "trial") {
      addIssues(ctx, trialContradictions(value));
      if (value.trialGroupId === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["trialGroupId"],
          message: "a trial policy needs the group its trial customer goes in",
        });
      }
    } else if (value.trialGroupId !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["trialGroupId"],
        message: "only trial policies have a trial group",
      });
    }
  });
export type TCreatePolicyInput = z.input<typeof ZCreatePolicyInput>;

/** A change to a policy: its kind and product are fixed. Each changed term reaches its licenses. */
export const ZUpdatePolicyInput = z
  .object({
    id: ZId,
    name: ZName.optional(),
    description: ZDescription.optional(),
    type: ZLicenseTerms.type.optional(),
    seatLimit: ZLicenseTerms.seatLimit.optional(),
    durationDays: ZLicenseTerms.durationDays.optional(),
    durationFrom: ZLicenseTerms.durationFrom.optional(),
    heartbeatIntervalSeconds: ZLicenseTerms.heartbeatIntervalSeconds.optional(),
    gracePeriodHours: ZLicenseTerms.gracePeriodHours.optional(),
    offlineAllowanceDays: ZLicenseTerms.offlineAllowanceDays.optional(),
    checkInIntervalDays: ZLicenseTerms.checkInIntervalDays.optional(),
    expiryStrategy: ZLicenseTerms.expiryStrategy.optional(),
    overage: ZLicenseTerms.overage.optional(),
    machineMatching: ZLicenseTerms.machineMatching.optional(),
    entitlements: ZEntitlementList.optional(),
  })
  .superRefine((value, ctx) => {
    addIssues(ctx, termContradictions(value));
  });
export type TUpdatePolicyInput = z.input<typeof ZUpdatePolicyInput>;

export const ZListPoliciesInput = z.object({
  productId: ZId,
  /** matches the name */
  q: ZSearch,
  kind: z.enum(POLICY_KINDS).optional(),
  includeArchived: ZQueryBoolean.default(false),
  ...ZPagination,
});
export type TListPoliciesInput = z.input<typeof ZListPoliciesInput>;

export const ZArchivePolicyInput = z.object({
  id: ZId,
  /** false restores an archived policy */
  archived: z.boolean().default(true),
});
export type TArchivePolicyInput = z.input<typeof ZArchivePolicyInput>;

/** What a change would do, term by term: the UI shows it before the change is confirmed. */
export const ZPolicyChangePreview = z.object({
  /** licenses that would change (in at least one term) */
  licenses: z.number().int(),
  terms: z.array(
    z.object({
      term: z.enum(POLICY_TERMS),
      from: z.unknown(),
      to: z.unknown(),
      /** licenses that inherit the term and would change */
      licenses: z.number().int(),
      /** licenses that override the term and keep their own */
      overriding: z.number().int(),
    }),
  ),
});
export type PolicyChangePreview = z.infer<typeof ZPolicyChangePreview>;
