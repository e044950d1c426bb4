import type { DomainContext } from "../context.ts";
import type { TConfirmTotpInput } from "./schemas.ts";
import { storeRecoveryCodes } from "./store-recovery-codes.ts";

/** Turns TOTP on with a code from the enrolled secret; returns the recovery codes, once. */
export function confirmTotp(
  ctx: DomainContext,
  input: TConfirmTotpInput,
): Promise<{ recoveryCodes: string[] }> {
  return storeRecoveryCodes(ctx, input, { secret: "pending", enable: true, action: "admin.totp_enable" });
}
