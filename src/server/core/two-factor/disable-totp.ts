import { verifyPassword } from "../../crypto/password.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { readSettings } from "../settings/settings.ts";
import { checkOwnTotp } from "./check-own-totp.ts";
import { ZDisableTotpInput, type TDisableTotpInput } from "./schemas.ts";

/** Turns TOTP off: needs the password and a current code; refused while 2FA is required. */
export async function disableTotp(ctx: DomainContext, input: TDisableTotpInput): Promise<{ disabled: true }> {
  const id = requireAdminActor(ctx.actor);
  const { password, code } = parseInput(ZDisableTotpInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const admin = await tx.admin.findUnique({
      where: { id },
      select: { passwordHash: true, totpEnabled: true },
    });
    if (!admin) throw notFound("admin", id);
    if (!admin.totpEnabled) throw failedPrecondition("two-factor authentication is not on");
    if ((await readSettings(tx)).requireTwoFactor) {
      throw failedPrecondition("two-factor authentication is required for every admin on this server");
    }
    if (!admin.passwordHash || !(await verifyPassword(password, admin.passwordHash))) {
      throw invalidArgument("password: is not your current password", [
        { path: "password", message: "is wrong" },
      ]);
    }
    await checkOwnTotp(tx, ctx.encryptionKey, id, code, now, "enabled");
    await tx.admin.update({
      where: { id },
      data: { totpEnabled: false, totpSecretEnc: null, totpLastStep: null, recoveryCodes: "[]" },
      select: { id: true },
    });
    audit({ action: "admin.totp_disable", targetType: "admin", targetId: id, summary: {} });
    return { disabled: true as const };
  });
}
