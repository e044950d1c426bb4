import { newTotpSecret, totpQrCode, totpUri } from "./totp.ts";
import { encryptSecret } from "../../crypto/aes-gcm.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";

export interface TotpEnrollment {
  /** base32, for typing into an authenticator by hand */
  secret: string;
  otpauthUri: string;
  /** PNG data URL of the otpauth URI */
  qrCode: string;
}

/**
 * Starts TOTP enrollment for the signed-in admin: a new secret, stored encrypted and inactive
 * until a code from it is confirmed. Starting again replaces an unconfirmed secret.
 */
export async function enrollTotp(ctx: DomainContext): Promise<TotpEnrollment> {
  const id = requireAdminActor(ctx.actor);
  const secret = newTotpSecret();
  return mutate(ctx, async ({ tx, audit }) => {
    const admin = await tx.admin.findUnique({ where: { id }, select: { email: true, totpEnabled: true } });
    if (!admin) throw notFound("admin", id);
    if (admin.totpEnabled)
      throw failedPrecondition("two-factor authentication is already on; disable it first");
    await tx.admin.update({
      where: { id },
      data: { totpSecretEnc: encryptSecret(ctx.encryptionKey, secret, `totp:${id}`), totpLastStep: null },
      select: { id: true },
    });
    audit({ action: "admin.totp_enroll", targetType: "admin", targetId: id, summary: {} });
    const otpauthUri = totpUri(secret, admin.email);
    return { secret, otpauthUri, qrCode: await totpQrCode(otpauthUri) };
  });
}
