// From the contract's messages (and a .lic payload) to the client's result types.
import {
  ExpiryStrategy,
  FeatureKind,
  LicenseType,
  QuotaPeriod,
  StatusCode,
  type Entitlement,
  type LicenseInfo,
} from "../generated/proto/license/v1/license.ts";
import type { LicenseFilePayload } from "../license-file.ts";
import type { LicenseStatusCode } from "../status.ts";
import type { EntitlementInfo, LicenseDetails } from "./types.ts";

export function statusName(code: StatusCode): LicenseStatusCode | "ERROR" {
  const name = StatusCode[code] as string | undefined;
  if (!name || code === StatusCode.STATUS_CODE_UNSPECIFIED || code === StatusCode.UNRECOGNIZED)
    return "ERROR";
  return name.replace("STATUS_CODE_", "") as LicenseStatusCode;
}

const PERIODS: Partial<Record<QuotaPeriod, EntitlementInfo["quotaPeriod"]>> = {
  [QuotaPeriod.QUOTA_PERIOD_TOTAL]: "total",
  [QuotaPeriod.QUOTA_PERIOD_DAY]: "day",
  [QuotaPeriod.QUOTA_PERIOD_MONTH]: "month",
};

export function licenseDetails(info: LicenseInfo | undefined): LicenseDetails | null {
  if (!info) return null;
  return {
    licenseId: info.licenseId,
    productCode: info.productCode,
    customerName: info.customerName,
    type: info.type === LicenseType.LICENSE_TYPE_NODE_LOCKED ? "node_locked" : "floating",
    seatLimit: info.seatLimit,
    startsAt: info.startsAt ?? null,
    expiresAt: info.expiresAt ?? null,
    heartbeatIntervalSeconds: info.heartbeatIntervalSeconds,
    gracePeriodHours: info.gracePeriodHours,
    offlineAllowanceDays: info.offlineAllowanceDays,
    trial: info.trial,
    expiryStrategy: EXPIRY_STRATEGIES[info.expiryStrategy] ?? "restrict",
    checkInIntervalDays: info.checkInIntervalDays || null,
    policyName: info.policyName || null,
  };
}

const EXPIRY_STRATEGIES: Partial<Record<ExpiryStrategy, NonNullable<LicenseDetails["expiryStrategy"]>>> = {
  [ExpiryStrategy.EXPIRY_STRATEGY_RESTRICT]: "restrict",
  [ExpiryStrategy.EXPIRY_STRATEGY_MAINTAIN_VERSIONS]: "maintain_versions",
  [ExpiryStrategy.EXPIRY_STRATEGY_ALLOW]: "allow",
};

export function entitlementInfo(e: Entitlement): EntitlementInfo {
  return {
    featureCode: e.featureCode,
    name: e.name,
    kind: e.kind === FeatureKind.FEATURE_KIND_METERED ? "metered" : "boolean",
    unit: e.unit,
    quota: e.quota ?? null,
    quotaPeriod: PERIODS[e.quotaPeriod] ?? null,
    used: e.used,
  };
}

export function fromLicenseFile(payload: LicenseFilePayload): {
  license: LicenseDetails;
  entitlements: EntitlementInfo[];
} {
  return {
    license: {
      licenseId: payload.license.id,
      productCode: payload.product.code,
      customerName: payload.customer.name,
      type: payload.license.type,
      seatLimit: payload.license.seats,
      startsAt: new Date(payload.license.startsAt),
      expiresAt: payload.license.expiresAt ? new Date(payload.license.expiresAt) : null,
      heartbeatIntervalSeconds: 0,
      gracePeriodHours: 0,
      offlineAllowanceDays: 0,
    },
    entitlements: payload.entitlements.map((e) => ({
      featureCode: e.code,
      name: e.name,
      kind: e.kind,
      unit: e.unit ?? "",
      quota: e.quota,
      quotaPeriod: e.kind === "metered" ? e.quotaPeriod : null,
      used: 0,
    })),
  };
}

/** Dates survive the JSON cache as strings: bring them back. */
export function reviveDates<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) ? new Date(v) : v,
  ) as T;
}
