// @license-server/sdk/offline — what runs anywhere JavaScript runs (Node, browsers, Electron
// renderers, workers): the status vocabulary and offline verification of license files (.lic) and
// grace tokens with the embedded public keys. WebCrypto, jose and semver only; no Node APIs.
export { LICENSE_STATUS_CODES } from "./status.ts";
export type { LicenseStatusCode } from "./status.ts";

export { LICENSE_KEY_PATTERN, normalizeLicenseKey } from "./license-key.ts";

export { canonicalVersion, versionCovered } from "./version-coverage.ts";

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
