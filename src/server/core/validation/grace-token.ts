// Issues grace tokens (the format and its verification live in the SDK).
import { createHash, sign } from "node:crypto";
import { GRACE_TOKEN_ISSUER, GRACE_TOKEN_TYPE } from "@license-server/sdk/offline";
import type { ExpiryStrategy } from "../licenses/select.ts";
import type { Signer } from "../signing-keys/active-signer.ts";

export interface GraceTokenInput {
  licenseId: string;
  licenseKey: string;
  fingerprint: string;
  productCode: string;
  featureCodes: string[];
  licenseExpiresAt: Date | null;
  gracePeriodHours: number;
  /** days between required check-ins (null: none): the token ends at the next one (claim `nci`) */
  checkInIntervalDays: number | null;
  /**
   * absent: restrict. allow, and maintain_versions once expired, keep working after the expiry:
   * their tokens are not capped at it (claim `exs`)
   */
  expiryStrategy?: ExpiryStrategy;
  /** maintain_versions past expiry: the highest version released before it (claim `mxv`) */
  coveredVersion?: string;
  now: Date;
  /** the session the token is a lease of (claim `sid`); absent for a node-locked Validate */
  sessionId?: string;
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/**
 * The expiry strategy a license's grace tokens (and seat holds) are issued under: a trial's are
 * always capped at its end (restrict), whatever strategy the license row says, since every RPC
 * answers TRIAL_EXPIRED from then on.
 */
export function tokenStrategy(license: { trial: boolean; expiryStrategy: string }): ExpiryStrategy {
  return license.trial ? "restrict" : (license.expiryStrategy as ExpiryStrategy);
}

type ExpiryInput = Pick<
  GraceTokenInput,
  "licenseExpiresAt" | "gracePeriodHours" | "checkInIntervalDays" | "expiryStrategy" | "now"
>;

/**
 * Whether a token issued at `now` ends at the license's expiry: restrict always; maintain_versions
 * until the expiry (which versions it covers is known only then: tokens issued after it carry
 * `mxv`); allow never.
 */
function cappedAtExpiry(input: ExpiryInput): boolean {
  const strategy = input.expiryStrategy ?? "restrict";
  if (strategy === "maintain_versions")
    return input.licenseExpiresAt === null || input.now < input.licenseExpiresAt;
  return strategy === "restrict";
}

/**
 * `exp` of a token issued at `now`: the grace period, never beyond the license's own expiry nor
 * the next required check-in (`nci`, null when the license requires none).
 */
function expirySeconds(input: ExpiryInput): {
  iat: number;
  exp: number;
  lexp: number | null;
  nci: number | null;
} {
  const iat = Math.floor(input.now.getTime() / 1000);
  const lexp = input.licenseExpiresAt ? Math.floor(input.licenseExpiresAt.getTime() / 1000) : null;
  const days = input.checkInIntervalDays;
  const nci = days === null || days <= 0 ? null : iat + days * 86_400;
  const exp = Math.min(
    iat + input.gracePeriodHours * 3600,
    (cappedAtExpiry(input) ? lexp : null) ?? Number.MAX_SAFE_INTEGER,
    nci ?? Number.MAX_SAFE_INTEGER,
  );
  return { iat, lexp, nci, exp };
}

/**
 * When a token issued with these terms at `now` expires, exactly as issueGraceToken computes it:
 * a seat hold is written to cover it before the token is issued.
 */
export function graceTokenExpiry(input: ExpiryInput): Date {
  return new Date(expirySeconds(input).exp * 1000);
}

/**
 * A token valid for the license's grace period, never beyond the license's own expiry nor its
 * next required check-in.
 */
export function issueGraceToken(signer: Signer, input: GraceTokenInput): { token: string; expiresAt: Date } {
  const { iat, exp, lexp, nci } = expirySeconds(input);
  // A compact JWS written directly (node:crypto signs; jose verifies it in the SDK and the tests):
  // on every validation and heartbeat, jose's SignJWT cost more than the signature itself.
  const header = { alg: "EdDSA", kid: signer.kid, typ: GRACE_TOKEN_TYPE };
  const claims = {
    lkh: createHash("sha256").update(input.licenseKey).digest("hex"),
    fp: input.fingerprint,
    prd: input.productCode,
    ent: input.featureCodes,
    lexp,
    iss: GRACE_TOKEN_ISSUER,
    sub: input.licenseId,
    ...(input.sessionId === undefined ? {} : { sid: input.sessionId }),
    ...(input.expiryStrategy === undefined || input.expiryStrategy === "restrict"
      ? {}
      : { exs: input.expiryStrategy }),
    ...(input.coveredVersion === undefined ? {} : { mxv: input.coveredVersion }),
    ...(nci === null ? {} : { nci }),
    iat,
    exp,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(null, Buffer.from(signingInput), signer.privateKey).toString("base64url");
  const token = `${signingInput}.${signature}`;
  return { token, expiresAt: new Date(exp * 1000) };
}
