import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { FEATURE_KINDS, type FeatureKind } from "../features/select.ts";
import { parseOverrides, POLICY_TERMS } from "../policies/terms.ts";
import { parseMetadata, ZMetadataOut } from "../shared/schemas.ts";
import { effectiveStatus, LICENSE_STATUSES, type LicenseStatus } from "./status.ts";

export const LICENSE_TYPES = ["floating", "node_locked"] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];
export const QUOTA_PERIODS = ["total", "day", "month"] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
/** restrict: refused after expiry; maintain_versions: versions released before it keep working; allow: keeps working */
export const EXPIRY_STRATEGIES = ["restrict", "maintain_versions", "allow"] as const;
export type ExpiryStrategy = (typeof EXPIRY_STRATEGIES)[number];
/** seats beyond the limit a floating license may take: none, 25 %, 50 %, 100 % more, or any number */
export const OVERAGE_LEVELS = ["none", "x1_25", "x1_5", "x2", "always"] as const;
export type Overage = (typeof OVERAGE_LEVELS)[number];
/** how a machine is recognised: the same fingerprint, or any / most / all of its components */
export const MACHINE_MATCHING = ["fingerprint", "any", "most", "all"] as const;
export type MachineMatching = (typeof MACHINE_MATCHING)[number];
/** when a duration starts counting */
export const DURATION_FROM = ["issue", "first_activation"] as const;
export type DurationFrom = (typeof DURATION_FROM)[number];

/** An entitlement row (of a license or a policy) with its feature, as it leaves the server. */
export const entitlementSelect = {
  quota: true,
  quotaPeriod: true,
  feature: { select: { id: true, code: true, name: true, kind: true, unit: true } },
} as const;

export const licenseSelect = {
  id: true,
  key: true,
  status: true,
  statusReason: true,
  type: true,
  seatLimit: true,
  startsAt: true,
  expiresAt: true,
  heartbeatIntervalSeconds: true,
  gracePeriodHours: true,
  offlineAllowanceDays: true,
  policy: { select: { id: true, name: true } },
  overrides: true,
  durationDays: true,
  durationFrom: true,
  activatedAt: true,
  checkInIntervalDays: true,
  lastCheckInAt: true,
  expiryStrategy: true,
  overage: true,
  machineMatching: true,
  trial: true,
  metadata: true,
  suspendedAt: true,
  revokedAt: true,
  createdAt: true,
  updatedAt: true,
  customer: { select: { id: true, name: true, groupId: true } },
  product: { select: { id: true, code: true, name: true } },
  entitlements: { select: entitlementSelect, orderBy: { feature: { code: "asc" } } },
  _count: { select: { sessions: { where: { endedAt: null } } } },
} satisfies Prisma.LicenseSelect;

type LicenseRow = Prisma.LicenseGetPayload<{ select: typeof licenseSelect }>;

export const ZEntitlementDto = z.object({
  featureId: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(FEATURE_KINDS),
  unit: z.string().nullable(),
  quota: z.number().int().nullable(),
  quotaPeriod: z.enum(QUOTA_PERIODS),
});
export type EntitlementDto = z.infer<typeof ZEntitlementDto>;

export const ZLicenseDto = z.object({
  id: z.string(),
  key: z.string(),
  /** as stored */
  status: z.enum(LICENSE_STATUSES),
  /** as it applies now: an active license past its expiry is expired */
  effectiveStatus: z.enum(LICENSE_STATUSES),
  statusReason: z.string().nullable(),
  type: z.enum(LICENSE_TYPES),
  seatLimit: z.number().int(),
  startsAt: z.date(),
  expiresAt: z.date().nullable(),
  heartbeatIntervalSeconds: z.number().int(),
  gracePeriodHours: z.number().int(),
  offlineAllowanceDays: z.number().int(),
  /** the policy the license was issued from (it inherits the terms not in overrides) */
  policy: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** the policy terms this license sets itself */
  overrides: z.array(z.enum(POLICY_TERMS)),
  /** null: perpetual, or an expiry set by hand */
  durationDays: z.number().int().nullable(),
  durationFrom: z.enum(DURATION_FROM),
  /** the first online validation or activation */
  activatedAt: z.date().nullable(),
  checkInIntervalDays: z.number().int().nullable(),
  lastCheckInAt: z.date().nullable(),
  expiryStrategy: z.enum(EXPIRY_STRATEGIES),
  overage: z.enum(OVERAGE_LEVELS),
  machineMatching: z.enum(MACHINE_MATCHING),
  /** issued by StartTrial, not yet converted */
  trial: z.boolean(),
  metadata: ZMetadataOut,
  suspendedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  customer: z.object({ id: z.string(), name: z.string(), groupId: z.string() }),
  product: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  entitlements: z.array(ZEntitlementDto),
  openSessions: z.number().int(),
});
export type LicenseDto = z.infer<typeof ZLicenseDto>;

type EntitlementRow = LicenseRow["entitlements"][number];

export const toEntitlementDto = ({ feature, quota, quotaPeriod }: EntitlementRow): EntitlementDto => ({
  featureId: feature.id,
  code: feature.code,
  name: feature.name,
  kind: feature.kind as FeatureKind,
  unit: feature.unit,
  quota,
  quotaPeriod: quotaPeriod as QuotaPeriod,
});

export function toLicenseDto(row: LicenseRow, now: Date): LicenseDto {
  const { _count, entitlements, metadata, status, type, overrides, ...rest } = row;
  return {
    ...rest,
    status: status as LicenseStatus,
    effectiveStatus: effectiveStatus(row, now),
    type: type as LicenseType,
    overrides: parseOverrides(overrides),
    durationFrom: rest.durationFrom as DurationFrom,
    expiryStrategy: rest.expiryStrategy as ExpiryStrategy,
    overage: rest.overage as Overage,
    machineMatching: rest.machineMatching as MachineMatching,
    metadata: parseMetadata(metadata),
    entitlements: entitlements.map(toEntitlementDto),
    openSessions: _count.sessions,
  };
}
