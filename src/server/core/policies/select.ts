import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import {
  DURATION_FROM,
  entitlementSelect,
  EXPIRY_STRATEGIES,
  LICENSE_TYPES,
  MACHINE_MATCHING,
  OVERAGE_LEVELS,
  toEntitlementDto,
  ZEntitlementDto,
  type DurationFrom,
  type ExpiryStrategy,
  type LicenseType,
  type MachineMatching,
  type Overage,
} from "../licenses/select.ts";
import { groupScope } from "../access/policy.ts";
import type { Actor } from "../context.ts";
import { POLICY_KINDS, type PolicyKind } from "./schemas.ts";
import type { TermValues } from "./terms.ts";

/** The term columns of a policy (what its licenses inherit, besides entitlements). */
export const policyTermsSelect = {
  type: true,
  seatLimit: true,
  durationDays: true,
  durationFrom: true,
  heartbeatIntervalSeconds: true,
  gracePeriodHours: true,
  offlineAllowanceDays: true,
  checkInIntervalDays: true,
  expiryStrategy: true,
  overage: true,
  machineMatching: true,
} satisfies Prisma.PolicySelect & Prisma.LicenseSelect;

type TermRow = Prisma.PolicyGetPayload<{ select: typeof policyTermsSelect }>;

/** A row's term columns (only those) with their types (the database holds them as checked strings). */
export const toTermValues = (row: TermRow): TermValues => ({
  type: row.type as LicenseType,
  seatLimit: row.seatLimit,
  durationDays: row.durationDays,
  durationFrom: row.durationFrom as DurationFrom,
  heartbeatIntervalSeconds: row.heartbeatIntervalSeconds,
  gracePeriodHours: row.gracePeriodHours,
  offlineAllowanceDays: row.offlineAllowanceDays,
  checkInIntervalDays: row.checkInIntervalDays,
  expiryStrategy: row.expiryStrategy as ExpiryStrategy,
  overage: row.overage as Overage,
  machineMatching: row.machineMatching as MachineMatching,
});

export const policySelect = {
  id: true,
  name: true,
  description: true,
  kind: true,
  ...policyTermsSelect,
  trialCustomerId: true,
  archivedAt: true,
  createdAt: true,
  updatedAt: true,
  product: { select: { id: true, code: true, name: true } },
  entitlements: { select: entitlementSelect, orderBy: { feature: { code: "asc" } } },
  _count: { select: { licenses: true } },
} satisfies Prisma.PolicySelect;

type PolicyRow = Prisma.PolicyGetPayload<{ select: typeof policySelect }>;

/**
 * policySelect for what `actor` reads: the license count counts only the licenses of customers in
 * the actor's groups (a policy is global, its licenses are not).
 */
export const policySelectFor = (actor: Actor) => {
  const groupId = groupScope(actor);
  return {
    ...policySelect,
    _count: { select: { licenses: groupId ? { where: { customer: { groupId } } } : true } },
  } satisfies Prisma.PolicySelect;
};

export const ZPolicyDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(POLICY_KINDS),
  type: z.enum(LICENSE_TYPES),
  seatLimit: z.number().int(),
  durationDays: z.number().int().nullable(),
  durationFrom: z.enum(DURATION_FROM),
  heartbeatIntervalSeconds: z.number().int(),
  gracePeriodHours: z.number().int(),
  offlineAllowanceDays: z.number().int(),
  checkInIntervalDays: z.number().int().nullable(),
  expiryStrategy: z.enum(EXPIRY_STRATEGIES),
  overage: z.enum(OVERAGE_LEVELS),
  machineMatching: z.enum(MACHINE_MATCHING),
  /** trial policies: the customer their trial licenses belong to */
  trialCustomerId: z.string().nullable(),
  archivedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  product: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  entitlements: z.array(ZEntitlementDto),
  /** licenses issued from it (any status) in the caller's groups (all of them for super admins) */
  licenseCount: z.number().int(),
});
export type PolicyDto = z.infer<typeof ZPolicyDto>;

export function toPolicyDto(row: PolicyRow): PolicyDto {
  const { _count, entitlements, kind, ...rest } = row;
  return {
    ...rest,
    ...toTermValues(rest),
    kind: kind as PolicyKind,
    entitlements: entitlements.map(toEntitlementDto),
    licenseCount: _count.licenses,
  };
}
