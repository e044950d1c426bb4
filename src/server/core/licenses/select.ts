import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import type { FeatureKind } from "../features/select.ts";
import { parseMetadata, type TMetadata } from "../shared/schemas.ts";
import { effectiveStatus, type LicenseStatus } from "./status.ts";

export const LICENSE_TYPES = ["floating", "node_locked"] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];
export const QUOTA_PERIODS = ["total", "day", "month"] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

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
  metadata: true,
  suspendedAt: true,
  revokedAt: true,
  createdAt: true,
  updatedAt: true,
  customer: { select: { id: true, name: true, groupId: true } },
  product: { select: { id: true, code: true, name: true } },
  entitlements: {
    select: {
      quota: true,
      quotaPeriod: true,
      feature: { select: { id: true, code: true, name: true, kind: true, unit: true } },
    },
    orderBy: { feature: { code: "asc" } },
  },
  _count: { select: { sessions: { where: { endedAt: null } } } },
} satisfies Prisma.LicenseSelect;

type LicenseRow = Prisma.LicenseGetPayload<{ select: typeof licenseSelect }>;

export interface EntitlementDto {
  featureId: string;
  code: string;
  name: string;
  kind: FeatureKind;
  unit: string | null;
  quota: number | null;
  quotaPeriod: QuotaPeriod;
}

export interface LicenseDto {
  id: string;
  key: string;
  /** as stored */
  status: LicenseStatus;
  /** as it applies now: an active license past its expiry is expired */
  effectiveStatus: LicenseStatus;
  statusReason: string | null;
  type: LicenseType;
  seatLimit: number;
  startsAt: Date;
  expiresAt: Date | null;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  metadata: TMetadata;
  suspendedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  customer: { id: string; name: string; groupId: string };
  product: { id: string; code: string; name: string };
  entitlements: EntitlementDto[];
  openSessions: number;
}

export function toLicenseDto(row: LicenseRow, now: Date): LicenseDto {
  const { _count, entitlements, metadata, status, type, ...rest } = row;
  return {
    ...rest,
    status: status as LicenseStatus,
    effectiveStatus: effectiveStatus(row, now),
    type: type as LicenseType,
    metadata: parseMetadata(metadata),
    entitlements: entitlements.map(({ feature, quota, quotaPeriod }) => ({
      featureId: feature.id,
      code: feature.code,
      name: feature.name,
      kind: feature.kind as FeatureKind,
      unit: feature.unit,
      quota,
      quotaPeriod: quotaPeriod as QuotaPeriod,
    })),
    openSessions: _count.sessions,
  };
}
