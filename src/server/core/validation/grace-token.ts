// Issues grace tokens (the format and its verification live in the SDK).
import { createHash, sign } from "node:crypto";
import { GRACE_TOKEN_ISSUER, GRACE_TOKEN_TYPE } from "@license-server/sdk/offline";
import type { Signer } from "../signing-keys/active-signer.ts";

export interface GraceTokenInput {
  licenseId: string;
  licenseKey: string;
  fingerprint: string;
  productCode: string;
  featureCodes: string[];
  licenseExpiresAt: Date | null;
  gracePeriodHours: number;
  now: Date;
  /** the session the token is a lease of (claim `sid`); absent for a node-locked Validate */
  sessionId?: string;
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

type ExpiryInput = Pick<GraceTokenInput, "licenseExpiresAt" | "gracePeriodHours" | "now">;

/** `exp` of a token issued at `now`: the grace period, never beyond the license's own expiry. */
function expirySeconds(input: ExpiryInput): { iat: number; exp: number; lexp: number | null } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const lexp = input.licenseExpiresAt ? Math.floor(input.licenseExpiresAt.getTime() / 1000) : null;
  return { iat, lexp, exp: Math.min(iat + input.gracePeriodHours * 3600, lexp ?? Number.MAX_SAFE_INTEGER) };
}

/**
 * When a token issued with these terms at `now` expires, exactly as issueGraceToken computes it:
 * a seat hold is written to cover it before the token is issued.
 */
export function graceTokenExpiry(input: ExpiryInput): Date {
  return new Date(expirySeconds(input).exp * 1000);
}

/** A token valid for the license's grace period, never beyond the license's own expiry. */
export function issueGraceToken(signer: Signer, input: GraceTokenInput): { token: string; expiresAt: Date } {
  const { iat, exp, lexp } = expirySeconds(input);
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
    iat,
    exp,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(null, Buffer.from(signingInput), signer.privateKey).toString("base64url");
  const token = `${signingInput}.${signature}`;
  return { token, expiresAt: new Date(exp * 1000) };
}
