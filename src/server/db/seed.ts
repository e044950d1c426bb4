import type { Logger } from "../logger.ts";
import { generatePassword, hashPassword } from "../crypto/password.ts";
import { writeAuditEvent } from "../core/audit/write-audit-event.ts";
import { passwordProblem } from "../core/admins/password-policy.ts";
import { systemActor } from "../core/context.ts";
import type { DbHandle } from "./client.ts";

export const DEFAULT_GROUP_NAME = "Default";

/** LICENSE_SERVER_ADMIN_PASSWORD is too weak to become the first super admin's password. */
export class WeakInitialPasswordError extends Error {
  override name = "WeakInitialPasswordError";
}

export interface SeedResult {
  /** set when the first super admin was created with a generated password (print it once) */
  generatedPassword?: string;
  /** set when the first super admin was created */
  adminEmail?: string;
}

/**
 * First-run data: the default group and, when no admin exists yet, the first super admin (from
 * LICENSE_SERVER_ADMIN_EMAIL / _PASSWORD, or admin@localhost with a generated password). Runs on
 * every start and changes nothing once they exist; both are audited as the system's doing.
 */
export async function seedInitialData(
  handle: DbHandle,
  initialAdmin: { email?: string; password?: string },
  logger: Logger,
  /** the server's ENCRYPTION_KEY: the audit chain's key is derived from it */
  encryptionKey: Buffer,
): Promise<SeedResult> {
  const { db, provider } = handle;
  if ((await db.admin.count()) > 0 && (await db.group.count()) > 0) return {};

  const email = (initialAdmin.email ?? "admin@localhost").toLowerCase();
  if (initialAdmin.password !== undefined) {
    const problem = await passwordProblem(initialAdmin.password, email, "Administrator");
    if (problem) throw new WeakInitialPasswordError(`LICENSE_SERVER_ADMIN_PASSWORD ${problem}`);
  }
  const password = initialAdmin.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const now = new Date();
  const audit = { provider, actor: systemActor, now, encryptionKey };

  // Two instances starting at once may both get here: the transaction re-checks, and the unique
  // group name and admin email let only one of them write.
  const created = await db.$transaction(async (tx) => {
    let group = await tx.group.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
    if (!group) {
      group = await tx.group.create({
        data: { name: DEFAULT_GROUP_NAME, description: "Customers and admins not assigned elsewhere" },
        select: { id: true },
      });
      await writeAuditEvent(tx, audit, {
        action: "group.create",
        targetType: "group",
        targetId: group.id,
        summary: { name: DEFAULT_GROUP_NAME },
      });
    }
    if ((await tx.admin.count()) > 0) return false;
    const admin = await tx.admin.create({
      data: {
        email,
        name: "Administrator",
        passwordHash,
        role: "super_admin",
        passwordChangedAt: now,
        groups: { create: [{ groupId: group.id }] },
      },
      select: { id: true },
    });
    await writeAuditEvent(tx, audit, {
      action: "admin.create",
      targetType: "admin",
      targetId: admin.id,
      summary: { email, role: "super_admin", reason: "first start" },
    });
    return true;
  });
  if (!created) return {};
  logger.info({ email }, "created the first super admin");
  return initialAdmin.password ? { adminEmail: email } : { adminEmail: email, generatedPassword: password };
}
