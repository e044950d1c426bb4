import { checkTotp } from "../../auth/totp.ts";
import type { Tx } from "../../db/client.ts";
import { decryptSecret } from "../../crypto/aes-gcm.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";

/**
 * Checks a code against the admin's stored TOTP secret (enrolled, and confirmed unless
 * `pending`); returns the accepted time step, which the caller stores so the code works once.
 */
export async function checkOwnTotp(
  tx: Tx,
  encryptionKey: Buffer,
  adminId: string,
  code: string,
  now: Date,
  state: "pending" | "enabled",
): Promise<number> {
  const admin = await tx.admin.findUnique({
    where: { id: adminId },
    select: { totpSecretEnc: true, totpEnabled: true, totpLastStep: true },
  });
  if (!admin) throw notFound("admin", adminId);
  if (state === "pending" && admin.totpEnabled)
    throw failedPrecondition("two-factor authentication is already on");
  if (state === "enabled" && !admin.totpEnabled)
    throw failedPrecondition("two-factor authentication is not on");
  if (!admin.totpSecretEnc) throw failedPrecondition("start the enrollment first");
  const secret = decryptSecret(encryptionKey, admin.totpSecretEnc, `totp:${adminId}`);
  const step = await checkTotp(secret, code, now, admin.totpLastStep);
  if (step === null) throw invalidArgument("code: is not valid", [{ path: "code", message: "is not valid" }]);
  return step;
}
