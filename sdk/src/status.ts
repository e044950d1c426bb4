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
  /** expired with expiry strategy maintain_versions, and this version was released after the expiry */
  "VERSION_NOT_COVERED",
  /** a trial license whose trial period is over */
  "TRIAL_EXPIRED",
  /** the license requires an online check-in and the last one is too long ago (offline tiers) */
  "OVERDUE",
  /** StartTrial: this machine (fingerprint or components) has had this product's trial */
  "TRIAL_ALREADY_USED",
  /** StartTrial: the product offers no trial */
  "TRIAL_NOT_AVAILABLE",
] as const;
export type LicenseStatusCode = (typeof LICENSE_STATUS_CODES)[number];
