// A license as the licensing API sees it: found by key, judged for one product and moment, and
// shown to the client (terms, entitlements with what has been used, a grace token).
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import type { Db, Tx } from "../../db/client.ts";
import type { FastReads, LicenseRecord } from "../../db/fast-reads.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { FeatureKind } from "../features/select.ts";
import type { ExpiryStrategy, LicenseType, MachineMatching, QuotaPeriod } from "../licenses/select.ts";
import { effectiveStatus } from "../licenses/status.ts";
import { periodStart } from "../usage/usage-period.ts";
import type { LicensingContext } from "./licensing-context.ts";
import { issueGraceToken, tokenStrategy } from "./grace-token.ts";
import { versionCoverage } from "../releases/coverage.ts";

export type ClientLicense = LicenseRecord;

/** The license with this (normalized) key, with customer, product and entitlements. */
export async function findClientLicense(
  reads: FastReads,
  key: string,
  now?: Date,
): Promise<ClientLicense | null> {
  return reads.licenseByKey(key, now);
}

export interface Verdict {
  status: LicenseStatusCode;
  message: string;
  /** VALID past the license's expiry (expiry strategy allow or maintain_versions): Standing.expired */
  expired?: boolean;
  /** maintain_versions past expiry: the highest version released before it (grace token claim `mxv`) */
  coveredVersion?: string;
}

/**
 * Whether a license grants `client.productCode` at `now`, before any machine or seat is
 * considered. Order: unknown key, other product, then the license's own state (revoked is final,
 * so first). Past its expiry the expiry strategy decides (a trial's end is TRIAL_EXPIRED whatever
 * it is); only an expired maintain_versions license reads anything more (the product's releases).
 */
export async function licenseVerdict(
  ctx: Pick<LicensingContext, "db">,
  license: ClientLicense | null,
  client: { productCode: string; clientVersion?: string },
  now: Date,
): Promise<Verdict> {
  if (!license) return { status: "NOT_FOUND", message: "no license has this key" };
  if (license.product.code !== client.productCode) {
    return { status: "PRODUCT_MISMATCH", message: `this license is not for product ${client.productCode}` };
  }
  let honoured: Verdict | null = null;
  switch (effectiveStatus(license, now)) {
    case "revoked":
      return { status: "REVOKED", message: "the license has been revoked" };
    case "suspended":
      return { status: "SUSPENDED", message: "the license is suspended" };
    case "expired": {
      const verdict = await pastExpiry(ctx, license, client.clientVersion ?? "", now);
      if (verdict.status !== "VALID") return verdict;
      honoured = verdict;
      break;
    }
    case "active":
      break;
  }
  if (license.startsAt > now) {
    return { status: "NOT_YET_VALID", message: `the license starts on ${license.startsAt.toISOString()}` };
  }
  return honoured ?? { status: "VALID", message: "the license is valid" };
}

/** An expired license's verdict by its expiry strategy (see docs/releases-and-expiry.md). */
async function pastExpiry(
  ctx: Pick<LicensingContext, "db">,
  license: ClientLicense,
  clientVersion: string,
  now: Date,
): Promise<Verdict> {
  const on = license.expiresAt ? ` on ${license.expiresAt.toISOString()}` : "";
  if (license.trial) return { status: "TRIAL_EXPIRED", message: `the trial ended${on}` };
  switch (license.expiryStrategy as ExpiryStrategy) {
    case "allow":
      return {
        status: "VALID",
        message: `the license expired${on} and is still honoured (expiry strategy allow)`,
        expired: true,
      };
    case "maintain_versions": {
      // a license expired by an admin's status change (no date) covers what was released until now
      const coverage = await versionCoverage(
        ctx.db,
        license.product,
        license.expiresAt ?? now,
        clientVersion,
      );
      return coverage.covered
        ? { status: "VALID", message: coverage.message, expired: true, coveredVersion: coverage.highest }
        : { status: "VERSION_NOT_COVERED", message: coverage.message };
    }
    case "restrict":
      return { status: "EXPIRED", message: `the license expired${on}` };
  }
}

/**
 * A VALID verdict after the machine check: the machine's refusal, or the license's verdict
 * (its message and Standing.expired) with what the machine check adds.
 */
export function withMachine<M extends Verdict>(verdict: Verdict, machine: M): M {
  return machine.status === "VALID" ? { ...machine, ...verdict } : machine;
}

/** Whether the caller may see the license's terms: it named the right key and product. */
export function disclosable(verdict: Verdict): boolean {
  return verdict.status !== "NOT_FOUND" && verdict.status !== "PRODUCT_MISMATCH";
}

export interface LicenseView {
  licenseId: string;
  productCode: string;
  customerName: string;
  type: LicenseType;
  seatLimit: number;
  startsAt: Date;
  expiresAt: Date | null;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  expiryStrategy: ExpiryStrategy;
  /** null: no check-in required */
  checkInIntervalDays: number | null;
  trial: boolean;
  policyName: string | null;
  machineMatching: MachineMatching;
}

/**
 * What an answer says about the license beyond its status (proto Standing): honoured past its
 * expiry, the next required check-in, a seat in overage, a machine recognised by its components.
 */
export interface Standing {
  expired: boolean;
  nextCheckInAt: Date | null;
  overage: boolean;
  seatsInUse: number;
  machineUpdated: boolean;
}

export const NO_STANDING: Standing = {
  expired: false,
  nextCheckInAt: null,
  overage: false,
  seatsInUse: 0,
  machineUpdated: false,
};

export function licenseView(license: ClientLicense): LicenseView {
  return {
    licenseId: license.id,
    productCode: license.product.code,
    customerName: license.customer.name,
    type: license.type as LicenseType,
    seatLimit: license.seatLimit,
    startsAt: license.startsAt,
    expiresAt: license.expiresAt,
    heartbeatIntervalSeconds: license.heartbeatIntervalSeconds,
    gracePeriodHours: license.gracePeriodHours,
    offlineAllowanceDays: license.offlineAllowanceDays,
    expiryStrategy: license.expiryStrategy as ExpiryStrategy,
    checkInIntervalDays: license.checkInIntervalDays,
    trial: license.trial,
    policyName: license.policyName,
    machineMatching: license.machineMatching as MachineMatching,
  };
}

export interface EntitlementView {
  featureCode: string;
  name: string;
  kind: FeatureKind;
  unit: string;
  /** null: unlimited */
  quota: number | null;
  quotaPeriod: QuotaPeriod;
  /** metered features: used in the current period */
  used: number;
}

/** Sum of usage of a feature since `since` (null: ever), inside a transaction. */
export async function usedSince(
  db: Db | Tx,
  licenseId: string,
  featureId: string,
  since: Date | null,
): Promise<number> {
  const result = await db.usageRecord.aggregate({
    where: { licenseId, featureId, ...(since ? { recordedAt: { gte: since } } : {}) },
    _sum: { amount: true },
  });
  return result._sum.amount ?? 0;
}

/** The license's entitlements, with the current period's usage of metered features. */
export async function entitlementViews(
  reads: FastReads,
  license: ClientLicense,
  now: Date,
): Promise<EntitlementView[]> {
  return Promise.all(
    license.entitlements.map(async ({ feature, quota, quotaPeriod, used: read }) => {
      const period = quotaPeriod as QuotaPeriod;
      // the reader may have computed it with the license (one round trip on PostgreSQL)
      const used =
        feature.kind !== "metered"
          ? 0
          : (read ?? (await reads.usedSince(license.id, feature.id, periodStart(period, now))));
      return {
        featureCode: feature.code,
        name: feature.name,
        kind: feature.kind as FeatureKind,
        unit: feature.unit ?? "",
        quota,
        quotaPeriod: period,
        used,
      };
    }),
  );
}

export interface GraceGrant {
  token: string;
  expiresAt: Date;
}

/**
 * A fresh grace token for this license and machine, tied to the session when there is one.
 * Floating licenses: only for a session whose stored seat hold already covers the token's
 * expiry (see sessions/seat-hold.ts).
 */
export async function graceFor(
  ctx: LicensingContext,
  license: ClientLicense,
  licenseKey: string,
  fingerprint: string,
  now: Date,
  sessionId?: string,
  /** the verdict's coveredVersion (maintain_versions past expiry) */
  coveredVersion?: string,
): Promise<GraceGrant> {
  return issueGraceToken(await ctx.signer(), {
    ...(sessionId === undefined ? {} : { sessionId }),
    licenseId: license.id,
    licenseKey,
    fingerprint,
    productCode: license.product.code,
    featureCodes: license.entitlements.map((e) => e.feature.code),
    licenseExpiresAt: license.expiresAt,
    gracePeriodHours: license.gracePeriodHours,
    checkInIntervalDays: license.checkInIntervalDays,
    expiryStrategy: tokenStrategy(license),
    ...(coveredVersion === undefined ? {} : { coveredVersion }),
    now,
  });
}

/**
 * Serializes seat and quota decisions on one license until the transaction ends: a row lock on
 * PostgreSQL (holds across server instances); on SQLite a write to the row takes the database's
 * single write lock at once (waiting out other writers, also in other processes) instead of
 * failing later when a read transaction tries to become a writer.
 */
export async function lockLicense(tx: Tx, provider: DbProvider, licenseId: string): Promise<void> {
  if (provider === "postgresql") {
    await tx.$queryRaw`SELECT "id" FROM "License" WHERE "id" = ${licenseId} FOR UPDATE`;
  } else {
    await tx.$executeRaw`UPDATE "License" SET "id" = "id" WHERE "id" = ${licenseId}`;
  }
}
