import { checkTotp } from "../../auth/totp.ts";
import { decryptSecret } from "../../crypto/aes-gcm.ts";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZConfirmTotpInput, type TConfirmTotpInput } from "./confirm-totp.ts";
import { newRecoveryCodes } from "./recovery-codes.ts";

/** Replaces every recovery code (the old ones stop working); needs a current TOTP code. */
export async function regenerateRecoveryCodes(
  ctx: DomainContext,
  input: TConfirmTotpInput,
): Promise<{ recoveryCodes: string[] }> {
  const id = requireAdminActor(ctx.actor);
  const { code } = parseInput(ZConfirmTotpInput, input);
  const recovery = await newRecoveryCodes();
  return mutate(ctx, async ({ tx, now, audit }) => {
    const admin = await tx.admin.findUnique({
      where: { id },
      select: { totpSecretEnc: true, totpEnabled: true, totpLastStep: true },
    });
    if (!admin) throw notFound("admin", id);
    if (!admin.totpEnabled || !admin.totpSecretEnc)
      throw failedPrecondition("two-factor authentication is not on");
    const secret = decryptSecret(ctx.encryptionKey, admin.totpSecretEnc, `totp:${id}`);
    const step = await checkTotp(secret, code, now, admin.totpLastStep);
    if (step === null)
      throw invalidArgument("code: is not valid", [{ path: "code", message: "is not valid" }]);
    await tx.admin.update({
      where: { id },
      data: { totpLastStep: step, recoveryCodes: JSON.stringify(recovery.hashes) },
      select: { id: true },
    });
    audit({ action: "admin.recovery_codes_regenerate", targetType: "admin", targetId: id, summary: {} });
    return { recoveryCodes: recovery.codes };
  });
}
