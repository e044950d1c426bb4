import { z } from "zod";
import { requireAdminActor } from "../admins/require-admin-actor.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { checkOwnTotp } from "./check-own-totp.ts";
import { newRecoveryCodes } from "./recovery-codes.ts";

export const ZTotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "must be the 6-digit code from your authenticator");
export const ZConfirmTotpInput = z.object({ code: ZTotpCode });
export type TConfirmTotpInput = z.input<typeof ZConfirmTotpInput>;

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
