import type { Actor, Role } from "../core/context.ts";
import { DomainError } from "../core/errors.ts";
import { readSettings } from "../core/settings/settings.ts";
import type { Db } from "../db/client.ts";
import { readAccessToken } from "./jwt.ts";

const unauthenticated = (message = "sign in again: the session is invalid or expired") =>
  new DomainError("UNAUTHENTICATED", message);

export interface CredentialFacts {
  /** a JWT's iat is whole seconds; a web session's sign-in time is exact */
  precision?: "second" | "millisecond";
  /** the sign-in behind the credential passed a TOTP or recovery code */
  secondFactor?: boolean;
}

/**
 * The actor of an enabled admin, as the database says now. `issuedAt` is when the credential
 * was granted: a JWT's iat or a web session's sign-in time.
 */
export async function adminActor(
  db: Db,
  adminId: string,
  issuedAt: Date | null,
  { precision = "second", secondFactor = false }: CredentialFacts = {},
): Promise<Actor> {
  const admin = await db.admin.findUnique({
    where: { id: adminId },
    select: {
      email: true,
      role: true,
      disabled: true,
      totpEnabled: true,
      passwordChangedAt: true,
      groups: { select: { groupId: true } },
    },
  });
  if (!admin || admin.disabled) throw unauthenticated();
  // seconds for a JWT (its iat is whole seconds): one issued in the same second as the change
  // still counts as after it; a web session's sign-in time is exact
  const changedAt = admin.passwordChangedAt?.getTime();
  if (
    issuedAt &&
    changedAt !== undefined &&
    (precision === "second"
      ? Math.floor(changedAt / 1000) > issuedAt.getTime() / 1000
      : changedAt > issuedAt.getTime())
  ) {
    throw unauthenticated("sign in again: the password was changed");
  }
  const settings = await readSettings(db);
  return {
    type: "admin",
    id: adminId,
    label: admin.email,
    role: admin.role as Role,
    groupIds: admin.groups.map((g) => g.groupId),
    ...(secondFactor && admin.totpEnabled ? { signedInWithTwoFactor: true } : {}),
    ...(settings.requireTwoFactor && !admin.totpEnabled ? { mustEnrollTwoFactor: true } : {}),
  };
}

export async function authenticateAccessToken(
  db: Db,
  secret: string,
  token: string,
  now: Date,
): Promise<Actor> {
  const claims = await readAccessToken(secret, token, now);
  if (!claims) throw unauthenticated();
  return adminActor(db, claims.adminId, claims.issuedAt, { secondFactor: claims.secondFactor });
}
