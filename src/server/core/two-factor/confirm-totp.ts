import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { checkOwnTotp } from "./check-own-totp.ts";
import { newRecoveryCodes } from "./recovery-codes.ts";
import { ZTotpCode, ZConfirmTotpInput, type TConfirmTotpInput } from "./schemas.ts";
export { ZTotpCode, ZConfirmTotpInput, type TConfirmTotpInput };

/** Turns TOTP on with a code from the enrolled secret; returns the recovery codes, once. */
export async function confirmTotp(
  ctx: DomainContext,
  input: TConfirmTotpInput,
): Promise<{ recoveryCodes: string[] }> {
  const id = requireAdminActor(ctx.actor);
  const { code } = parseInput(ZConfirmTotpInput, input);
  const recovery = await newRecoveryCodes();
  return mutate(ctx, async ({ tx, now, audit }) => {
    const step = await checkOwnTotp(tx, ctx.encryptionKey, id, code, now, "pending");
    await tx.admin.update({
      where: { id },
      data: { totpEnabled: true, totpLastStep: step, recoveryCodes: JSON.stringify(recovery.hashes) },
      select: { id: true },
    });
    audit({ action: "admin.totp_enable", targetType: "admin", targetId: id, summary: {} });
    return { recoveryCodes: recovery.codes };
  });
}
