// Issues grace tokens (the format and its verification live in the SDK).
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
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
export async function issueGraceToken(
  signer: Signer,
  input: GraceTokenInput,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const lexp = input.licenseExpiresAt ? Math.floor(input.licenseExpiresAt.getTime() / 1000) : null;
  const exp = Math.min(iat + input.gracePeriodHours * 3600, lexp ?? Number.MAX_SAFE_INTEGER);
  const token = await new SignJWT({
    lkh: createHash("sha256").update(input.licenseKey).digest("hex"),
    fp: input.fingerprint,
    prd: input.productCode,
    ent: input.featureCodes,
    lexp,
  })
    .setProtectedHeader({ alg: "EdDSA", kid: signer.kid, typ: GRACE_TOKEN_TYPE })
    .setIssuer(GRACE_TOKEN_ISSUER)
    .setSubject(input.licenseId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(signer.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}
