// @license-server/sdk — the client library for software licensed by the license server.
// Offline license files (.lic) and grace tokens are verified here; the validation client arrives
// with the licensing API. This module also fixes the vocabulary both sides share.

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

export { AdminClientError, createAdminClient } from "./admin-client.ts";
export type { AdminClient, AdminClientOptions } from "./admin-client.ts";

export { GRACE_TOKEN_ISSUER, GRACE_TOKEN_TYPE, licenseKeyHash, verifyGraceToken } from "./grace-token.ts";
export type { GraceTokenClaims, GraceTokenResult, PublicKeyEntry } from "./grace-token.ts";

export {
  createLicenseFile,
  LICENSE_FILE_ARMOR_BEGIN,
  LICENSE_FILE_ARMOR_END,
  LICENSE_FILE_EXTENSION,
  LICENSE_FILE_MEDIA_TYPE,
  LICENSE_FILE_VERSION,
  verifyLicenseFile,
} from "./license-file.ts";
export type {
  CreateLicenseFileOptions,
  LicenseFileContent,
  LicenseFileEncryption,
  LicenseFileEntitlement,
  LicenseFileFailure,
  LicenseFilePayload,
  LicenseFileResult,
  VerifyLicenseFileOptions,
} from "./license-file.ts";
