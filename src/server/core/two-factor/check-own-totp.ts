import { checkTotp } from "./totp.ts";
import type { Tx } from "../../db/client.ts";
import { decryptSecret } from "../../crypto/aes-gcm.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";

/**
 * Checks a code against the admin's stored TOTP secret (enrolled, and confirmed unless
 * `pending`) and consumes its time step with a compare-and-set, so that parallel requests with
 * one code succeed once; returns the accepted step.
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
  const refused = () =>
    invalidArgument(
      "the code is not valid: enter the current code from your authenticator app (each code works once)",
      [{ path: "code", message: "is not valid" }],
    );
  if (step === null) throw refused();
  // only moves forward: a parallel request that checked the same code finds it consumed
  const { count } = await tx.admin.updateMany({
    // the state checked above is part of the condition: turning 2FA off clears the step, so a
    // parallel request must not find it null and pass again
    where: {
      id: adminId,
      totpEnabled: state === "enabled",
      totpSecretEnc: admin.totpSecretEnc,
      OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }],
    },
    data: { totpLastStep: step },
  });
  if (count === 0) throw refused();
  return step;
}
