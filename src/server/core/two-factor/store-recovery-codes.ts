// What turning TOTP on and regenerating recovery codes share: the admin proves a current code of
// their own secret, then gets ten fresh recovery codes (the old ones stop working), shown once.
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { checkOwnTotp } from "./check-own-totp.ts";
import { newRecoveryCodes } from "./recovery-codes.ts";
import { ZConfirmTotpInput, type TConfirmTotpInput } from "./schemas.ts";

export async function storeRecoveryCodes(
  ctx: DomainContext,
  input: TConfirmTotpInput,
  step: {
    /** the secret the code must come from: the enrolled one still pending, or the enabled one */
    secret: "pending" | "enabled";
    /** turn TOTP on as well */
    enable: boolean;
    /** the audit event's action */
    action: string;
  },
): Promise<{ recoveryCodes: string[] }> {
  const id = requireAdminActor(ctx.actor);
  const { code } = parseInput(ZConfirmTotpInput, input);
  const recovery = await newRecoveryCodes();
  return mutate(ctx, async ({ tx, now, audit }) => {
    const totpLastStep = await checkOwnTotp(tx, ctx.encryptionKey, id, code, now, step.secret);
    await tx.admin.update({
      where: { id },
      data: {
        ...(step.enable ? { totpEnabled: true } : {}),
        totpLastStep,
        recoveryCodes: JSON.stringify(recovery.hashes),
      },
      select: { id: true },
    });
    audit({ action: step.action, targetType: "admin", targetId: id, summary: {} });
    return { recoveryCodes: recovery.codes };
  });
}
