import { hashPassword, verifyPassword } from "../../crypto/password.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { revokeAdminWebSessions } from "../web-sessions/store.ts";
import { requireStrongPassword } from "./password-policy.ts";
import { requireAdminActor } from "./require-admin-actor.ts";
import { ZChangeOwnPasswordInput, type TChangeOwnPasswordInput } from "./schemas.ts";

export async function changeOwnPassword(
  ctx: DomainContext,
  input: TChangeOwnPasswordInput,
): Promise<{ changedAt: Date }> {
  const id = requireAdminActor(ctx.actor);
  const { currentPassword, newPassword } = parseInput(ZChangeOwnPasswordInput, input);
  const admin = await ctx.db.admin.findUnique({
    where: { id },
    select: { passwordHash: true, authSource: true, email: true, name: true },
  });
  if (!admin) throw notFound("admin", id);
  if (admin.authSource !== "local" || !admin.passwordHash) {
    throw failedPrecondition("LDAP accounts change their password in the directory");
  }
  if (!(await verifyPassword(currentPassword, admin.passwordHash))) {
    throw invalidArgument("currentPassword: is not your current password", [
      { path: "currentPassword", message: "is not your current password" },
    ]);
  }
  await requireStrongPassword("newPassword", newPassword, admin.email, admin.name);
  const passwordHash = await hashPassword(newPassword);
  return mutate(ctx, async ({ tx, now, audit }) => {
    await tx.admin.update({
      where: { id },
      data: { passwordHash, passwordChangedAt: now },
      select: { id: true },
    });
    // every web session ends, the one that made the change too: each browser signs in anew
    await revokeAdminWebSessions(tx, id, "password_change", now);
    audit({ action: "admin.password_change", targetType: "admin", targetId: id, summary: {} });
    return { changedAt: now };
  });
}
