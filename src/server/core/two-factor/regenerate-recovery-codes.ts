import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZConfirmTotpInput, type TConfirmTotpInput } from "./confirm-totp.ts";
import { checkOwnTotp } from "./check-own-totp.ts";
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
    const step = await checkOwnTotp(tx, ctx.encryptionKey, id, code, now, "enabled");
    await tx.admin.update({
      where: { id },
      data: { totpLastStep: step, recoveryCodes: JSON.stringify(recovery.hashes) },
      select: { id: true },
    });
    audit({ action: "admin.recovery_codes_regenerate", targetType: "admin", targetId: id, summary: {} });
    return { recoveryCodes: recovery.codes };
  });
}
