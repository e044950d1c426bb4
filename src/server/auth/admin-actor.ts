import type { Actor, Role } from "../core/context.ts";
import { DomainError } from "../core/errors.ts";
import { readSettings } from "../core/settings/settings.ts";
import type { Db } from "../db/client.ts";
import { readAccessToken } from "./jwt.ts";

const unauthenticated = (message = "sign in again: the session is invalid or expired") =>
  new DomainError("UNAUTHENTICATED", message);

/** The actor of an enabled admin, as the database says now. */
export async function adminActor(db: Db, adminId: string, issuedAt: Date | null): Promise<Actor> {
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
  // seconds: a token issued in the same second as the change still counts as before it
  if (
    issuedAt &&
    admin.passwordChangedAt &&
    Math.floor(admin.passwordChangedAt.getTime() / 1000) > issuedAt.getTime() / 1000
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
  return adminActor(db, claims.adminId, claims.issuedAt);
}
