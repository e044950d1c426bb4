// The vocabulary the server and the SDK share: machine-readable outcomes of a license check.

/** Machine-readable outcome of a license check, as the server and the offline tiers report it. */
export const LICENSE_STATUS_CODES = [
  "VALID",
  "NOT_FOUND",
  "EXPIRED",
  "SUSPENDED",
  "REVOKED",
  "PRODUCT_MISMATCH",
  "FINGERPRINT_MISMATCH",
  "SEAT_LIMIT_REACHED",
  "SESSION_NOT_FOUND",
  "HEARTBEAT_DEAD",
  "FEATURE_NOT_ENTITLED",
  "QUOTA_EXCEEDED",
  /** the license starts in the future */
  "NOT_YET_VALID",
] as const;
export type LicenseStatusCode = (typeof LICENSE_STATUS_CODES)[number];
