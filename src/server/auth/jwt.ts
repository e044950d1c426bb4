// Short-lived admin access tokens: HS256 JWTs carrying only the admin id. Role, groups and the
// disabled flag are read from the database on every use, so changes apply at once; a password
// change invalidates every token issued before it.
import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";

export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
const ISSUER = "license-server";
const AUDIENCE = "license-server-admin";

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function issueAccessToken(
  secret: string,
  adminId: string,
  now: Date,
  options: { secondFactor?: boolean } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
  // `mfa`: the sign-in that made this token passed a TOTP or recovery code
  const token = await new SignJWT(options.secondFactor ? { mfa: true } : {})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(adminId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(keyOf(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

/** The admin id, issue time and second factor, or null for any invalid, expired or foreign token. */
export async function readAccessToken(
  secret: string,
  token: string,
  now: Date,
): Promise<{ adminId: string; issuedAt: Date; secondFactor: boolean } | null> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now,
      clockTolerance: 5,
    });
    if (typeof payload.sub !== "string" || typeof payload.iat !== "number") return null;
    return {
      adminId: payload.sub,
      issuedAt: new Date(payload.iat * 1000),
      secondFactor: payload.mfa === true,
    };
  } catch {
    return null;
  }
}
