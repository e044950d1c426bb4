// Grace tokens: the signed JWT (EdDSA, `kid` in the header) that the server returns with each
// successful online validation and that keeps the software running through an outage. This
// module verifies them with the embedded public keys; it uses jose, which runs in Node, browsers
// and Electron renderers alike.
import { errors, importSPKI, jwtVerify, type JWTPayload } from "jose";
import { normalizeLicenseKey } from "./license-key.ts";

export const GRACE_TOKEN_ISSUER = "license-server";
export const GRACE_TOKEN_TYPE = "license-grace+jwt";

/** The claims of a grace token. Times are seconds since the epoch, as in every JWT. */
export interface GraceTokenClaims extends JWTPayload {
  /** the license id */
  sub: string;
  /** SHA-256 (hex) of the license key: binds the token to the key without carrying it */
  lkh: string;
  /** the machine fingerprint the token was issued to */
  fp: string;
  /** the product code */
  prd: string;
  /** entitled feature codes */
  ent: string[];
  /** the license's own expiry, or null when perpetual */
  lexp: number | null;
  /** the session whose seat the token is a lease on (Activate and Heartbeat answers) */
  sid?: string;
  /**
   * the license's expiry strategy when not restrict: such a token may outlive `lexp` (allow; and
   * maintain_versions once expired, with `mxv`)
   */
  exs?: "allow" | "maintain_versions";
  /**
   * maintain_versions past expiry: the highest version released before it; the grace tier runs
   * only a clientVersion it covers (versionCovered), else VERSION_NOT_COVERED
   */
  mxv?: string;
  /** the next required online check-in (licenses with a check-in interval); `exp` is never later */
  nci?: number;
}

export interface PublicKeyEntry {
  kid: string;
  /** SPKI PEM ("-----BEGIN PUBLIC KEY-----") */
  publicKeyPem: string;
}

export type GraceTokenResult =
  | { valid: true; claims: GraceTokenClaims; expiresAt: Date }
  | {
      valid: false;
      reason:
        | "MALFORMED"
        | "UNKNOWN_KEY"
        | "BAD_SIGNATURE"
        | "EXPIRED"
        /** past the token's `nci`: the license required an online check-in by then */
        | "OVERDUE"
        | "FINGERPRINT_MISMATCH"
        | "LICENSE_MISMATCH"
        | "PRODUCT_MISMATCH";
      /** OVERDUE: when the check-in was due */
      checkInBy?: Date;
    };

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 (hex) of a license key in its canonical form (see normalizeLicenseKey), as the server hashes it. */
export function licenseKeyHash(licenseKey: string): Promise<string> {
  return sha256Hex(normalizeLicenseKey(licenseKey) ?? licenseKey);
}

/**
 * Checks a grace token: a known key id, a good signature, not expired at `now`, issued to this
 * machine and (when given) for this license key and this product.
 */
export async function verifyGraceToken(
  token: string,
  publicKeys: readonly PublicKeyEntry[],
  options: { fingerprint: string; licenseKey?: string; productCode?: string; now?: Date },
): Promise<GraceTokenResult> {
  const [headerPart] = token.split(".");
  let kid: unknown;
  try {
    kid = (JSON.parse(new TextDecoder().decode(base64UrlDecode(headerPart ?? ""))) as { kid?: unknown }).kid;
  } catch {
    return { valid: false, reason: "MALFORMED" };
  }
  const entry = publicKeys.find((key) => key.kid === kid);
  if (!entry) return { valid: false, reason: "UNKNOWN_KEY" };
  let claims: GraceTokenClaims;
  try {
    const key = await importSPKI(entry.publicKeyPem, "EdDSA");
    const verified = await jwtVerify<GraceTokenClaims>(token, key, {
      algorithms: ["EdDSA"],
      issuer: GRACE_TOKEN_ISSUER,
      typ: GRACE_TOKEN_TYPE,
      currentDate: options.now ?? new Date(),
    });
    claims = verified.payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      // the signature verified before the claims were checked: the payload is the server's
      const overdue = checkInDue(error.payload, Number.POSITIVE_INFINITY);
      return overdue ?? { valid: false, reason: "EXPIRED" };
    }
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return { valid: false, reason: "BAD_SIGNATURE" };
    return { valid: false, reason: "MALFORMED" };
  }
  const overdue = checkInDue(claims, (options.now ?? new Date()).getTime());
  if (overdue) return overdue;
  if (claims.fp !== options.fingerprint) return { valid: false, reason: "FINGERPRINT_MISMATCH" };
  if (options.licenseKey !== undefined && claims.lkh !== (await licenseKeyHash(options.licenseKey))) {
    return { valid: false, reason: "LICENSE_MISMATCH" };
  }
  if (options.productCode !== undefined && claims.prd !== options.productCode) {
    return { valid: false, reason: "PRODUCT_MISMATCH" };
  }
  return { valid: true, claims, expiresAt: new Date((claims.exp ?? 0) * 1000) };
}

/**
 * OVERDUE when the token's check-in deadline (`nci`) is what ends it: reached at `nowMs`, or (an
 * expired token, nowMs = ∞) not later than its `exp`, so a grace period that ran out first stays
 * EXPIRED.
 */
function checkInDue(
  claims: JWTPayload,
  nowMs: number,
): { valid: false; reason: "OVERDUE"; checkInBy: Date } | null {
  const { nci, exp } = claims;
  if (typeof nci !== "number") return null;
  const due = nowMs >= nci * 1000 && (typeof exp !== "number" || nci <= exp);
  return due ? { valid: false, reason: "OVERDUE", checkInBy: new Date(nci * 1000) } : null;
}

function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
