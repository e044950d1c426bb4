// The license file format's vocabulary (sdk/docs/license-file-v1.md): its version, armor and media
// type, what a payload says, and what a verification can answer. Re-exported by license-file.ts.

/** Version of the envelope and of the payload this module reads and writes. */
export const LICENSE_FILE_VERSION = 1;
export const LICENSE_FILE_EXTENSION = ".lic";
export const LICENSE_FILE_MEDIA_TYPE = "application/x-license-file";

export const LICENSE_FILE_ARMOR_BEGIN = "-----BEGIN LICENSE FILE-----";
export const LICENSE_FILE_ARMOR_END = "-----END LICENSE FILE-----";

export type LicenseFileEncryption = "none" | "aes-256-gcm";

export interface LicenseFileEntitlement {
  /** the feature's code, as the software asks for it */
  code: string;
  name: string;
  kind: "boolean" | "metered";
  /** metered features: what is counted ("calls"), else null */
  unit: string | null;
  /** metered features: the allowed amount per quotaPeriod; null = unlimited */
  quota: number | null;
  quotaPeriod: "total" | "day" | "month";
}

/** What a license file says (payload version 1). Times are RFC 3339 UTC strings ("…Z"). */
export interface LicenseFilePayload {
  v: 1;
  /** this file's id (the server's issuance id) */
  id: string;
  /** the signing key's id; always equal to the envelope's `kid` */
  kid: string;
  issuedAt: string;
  /** the file is not valid before this time (the issue time, or the license's later start) */
  notBefore: string;
  /** the file is not valid from this time on; never after the license's own expiry */
  expiresAt: string;
  /**
   * v1 addition, optional: the license requires online check-ins and the next one is due by this
   * time (the file's expiresAt is never later); past it a verifier answers OVERDUE
   */
  checkInBy?: string;
  /** the machine the file is bound to, or null: any machine */
  fingerprint: string | null;
  license: {
    id: string;
    /** SHA-256 (lower-case hex) of the license key: binds the file to the key without carrying it */
    keyHash: string;
    type: "floating" | "node_locked";
    /** floating: concurrent sessions; node_locked: machines */
    seats: number;
    startsAt: string;
    /** the license's own expiry, or null when perpetual */
    expiresAt: string | null;
  };
  customer: { id: string; name: string };
  product: { id: string; code: string; name: string };
  entitlements: LicenseFileEntitlement[];
}

/** The payload as the issuer fills it in; `v` and `kid` are set by `createLicenseFile`. */
export type LicenseFileContent = Omit<LicenseFilePayload, "v" | "kid">;

export type LicenseFileFailure =
  /** not a license file: armor, base64, envelope or payload are not exactly as specified */
  | "MALFORMED"
  /** a version, signature algorithm or encryption this verifier does not know */
  | "UNSUPPORTED"
  /** signed with a key that is not in the given keyring */
  | "UNKNOWN_KEY"
  /** the signature does not match: the file was changed, or signed by someone else */
  | "BAD_SIGNATURE"
  /** the file is bound to a machine (or encrypted) and no fingerprint was given */
  | "FINGERPRINT_REQUIRED"
  /** the file is bound to another machine (for an encrypted file: it cannot be decrypted with this one) */
  | "FINGERPRINT_MISMATCH"
  | "EXPIRED"
  /** past the file's `checkInBy`: the license required an online check-in by then */
  | "OVERDUE"
  | "NOT_YET_VALID"
  /** the file is for another license key than the one given */
  | "LICENSE_MISMATCH"
  /** the file is for another product than the one given */
  | "PRODUCT_MISMATCH";

export type LicenseFileResult =
  | { valid: true; payload: LicenseFilePayload; kid: string; encrypted: boolean; expiresAt: Date }
  | {
      valid: false;
      reason: LicenseFileFailure;
      /** OVERDUE: when the check-in was due */
      checkInBy?: Date;
    };
