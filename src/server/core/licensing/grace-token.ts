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
}

/** A token valid for the license's grace period, never beyond the license's own expiry. */
function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

export function issueGraceToken(signer: Signer, input: GraceTokenInput): { token: string; expiresAt: Date } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const lexp = input.licenseExpiresAt ? Math.floor(input.licenseExpiresAt.getTime() / 1000) : null;
  const exp = Math.min(iat + input.gracePeriodHours * 3600, lexp ?? Number.MAX_SAFE_INTEGER);
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
    iat,
    exp,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(null, Buffer.from(signingInput), signer.privateKey).toString("base64url");
  const token = `${signingInput}.${signature}`;
  return { token, expiresAt: new Date(exp * 1000) };
}
