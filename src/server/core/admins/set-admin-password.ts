import { hashPassword } from "../../crypto/password.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { revokeAdminWebSessions } from "../web-sessions/store.ts";
import { requireStrongPassword } from "./password-policy.ts";
import { requireSignedInForSuperAdmin } from "./rules.ts";
import { ZSetAdminPasswordInput, type TSetAdminPasswordInput } from "./schemas.ts";

// the schema lives in schemas.ts (the admin UI's reset dialog uses it); importers of this file keep it

/** A super admin sets another admin's password (a reset); the admin should change it after. */
export async function setAdminPassword(
  ctx: DomainContext,
  input: TSetAdminPasswordInput,
): Promise<{ id: string }> {
  requirePermission(ctx.actor, "admin.manage");
  const { id, password } = parseInput(ZSetAdminPasswordInput, input);
  const account = await ctx.db.admin.findUnique({
    where: { id },
    select: { email: true, name: true, role: true },
  });
  if (!account) throw notFound("admin", id);
  requireSignedInForSuperAdmin(ctx.actor, account.role === "super_admin");
  await requireStrongPassword("password", password, account.email, account.name);
  const passwordHash = await hashPassword(password);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const admin = await tx.admin.findUnique({ where: { id }, select: { authSource: true, role: true } });
    if (!admin) throw notFound("admin", id);
    requireSignedInForSuperAdmin(ctx.actor, admin.role === "super_admin");
    if (admin.authSource !== "local")
      throw failedPrecondition("LDAP accounts have their password in the directory");
    await tx.admin.update({
      where: { id },
      data: { passwordHash, passwordChangedAt: now },
      select: { id: true },
    });
    await revokeAdminWebSessions(tx, id, "password_change", now);
    audit({ action: "admin.password_reset", targetType: "admin", targetId: id, summary: {} });
    return { id };
  });
}
