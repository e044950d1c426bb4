// What the client reports: one result type whichever tier decided.
import type { LicenseStatusCode } from "../status.ts";

/** Which tier of the fallback chain decided: the server, a `.lic` file, a grace token, none. */
export type Tier = "online" | "license_file" | "grace" | "none";

/**
 * The server's status codes, plus what only the client can tell: the clock was set back
 * (CLOCK_TAMPERED), the server could not be reached and nothing offline holds (OFFLINE), or the
 * server refused the request itself (ERROR: a bug or misconfiguration, with the message).
 */
export type ClientStatusCode = LicenseStatusCode | "CLOCK_TAMPERED" | "OFFLINE" | "ERROR";

export interface LicenseDetails {
  licenseId: string;
  productCode: string;
  customerName: string;
  type: "floating" | "node_locked";
  seatLimit: number;
  startsAt: Date | null;
  /** null: perpetual */
  expiresAt: Date | null;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  /** the following come with online answers (a .lic file does not carry them) */
  /** a trial license (startTrial) */
  trial?: boolean;
  /** what happens after expiresAt: refused, versions released before it keep working, or allowed */
  expiryStrategy?: "restrict" | "maintain_versions" | "allow";
  /** days between required online validations; null: none */
  checkInIntervalDays?: number | null;
  /** the policy the license was issued from; null: none */
  policyName?: string | null;
}

export interface EntitlementInfo {
  featureCode: string;
  name: string;
  kind: "boolean" | "metered";
  unit: string;
  /** null: unlimited */
  quota: number | null;
  quotaPeriod: "total" | "day" | "month" | null;
  /** metered features: used in the current period, as the server last said */
  used: number;
}

export interface ValidationResult {
  valid: boolean;
  status: ClientStatusCode;
  tier: Tier;
  /** why, for people */
  message: string;
  license: LicenseDetails | null;
  entitlements: EntitlementInfo[];
  /** how long this result holds without the server: the grace token's or the file's expiry */
  validUntil: Date | null;
  /**
   * licenses with required check-ins: validate online before this (the server's deadline, or the
   * grace token's or file's); past it the offline tiers answer OVERDUE. null: none required
   */
  nextCheckInAt: Date | null;
  /**
   * online answers: the license is past its expiry and still honoured (expiry strategy allow, or
   * maintain_versions for this version)
   */
  expired?: boolean;
  /** online Activate answers: the seat was granted beyond the seat limit (the policy's overage) */
  overage?: boolean;
  /** when the decision was made (the server's time when online) */
  checkedAt: Date;
}

/** What startTrial() gives: the trial's validation, and its key when the server started one. */
export interface TrialResult extends ValidationResult {
  /** VALID: the trial license's key, now the client's key (kept in the cache); else null */
  licenseKey: string | null;
}

export interface UsageResult {
  /** VALID: counted; QUEUED: stored and sent when the server is reachable; or the server's refusal */
  status: LicenseStatusCode | "QUEUED";
  message: string;
  idempotencyKey: string;
  /** used in the current period after this record (when the server answered) */
  used: number | null;
  quota: number | null;
  replayed: boolean;
}
