import type { Tx } from "../../db/client.ts";
import type { Actor } from "../context.ts";
import { failedPrecondition, forbidden, invalidArgument } from "../errors.ts";

export const SUPER_ADMIN_ACCOUNTS_NEED_SIGNED_IN_ADMIN =
  "super admin accounts are created, promoted, changed and given passwords by a signed-in super admin, not an API key";

/**
 * An API key may not make or take over a super admin account (create one, promote to it, change
 * or reset one): that account could then sign in and do what keys may not, such as lifting
 * required 2FA (found by attack: key → new super admin → enroll → setting off).
 */
export function requireSignedInForSuperAdmin(actor: Actor, involvesSuperAdmin: boolean): void {
  if (involvesSuperAdmin && actor.type === "api_key")
    throw forbidden(SUPER_ADMIN_ACCOUNTS_NEED_SIGNED_IN_ADMIN);
}

/** Every listed group must exist. */
export async function requireGroupsExist(
  tx: Tx,
  groupIds: readonly string[],
  path = "groupIds",
): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await tx.group.findMany({ where: { id: { in: [...groupIds] } }, select: { id: true } });
  const known = new Set(found.map((g) => g.id));
  const missing = groupIds.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw invalidArgument(`${path}: unknown group(s) ${missing.join(", ")}`, [
      { path, message: "unknown group" },
    ]);
  }
}

/** The server must keep at least one enabled super admin, or nobody could manage admins again. */
export async function requireAnotherSuperAdmin(tx: Tx, adminId: string): Promise<void> {
  const others = await tx.admin.count({
    where: { role: "super_admin", disabled: false, id: { not: adminId } },
  });
  if (others === 0)
    throw failedPrecondition("this is the last enabled super admin; promote another admin first");
}
