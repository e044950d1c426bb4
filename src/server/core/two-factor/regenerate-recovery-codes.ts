import type { DomainContext } from "../context.ts";
import type { TConfirmTotpInput } from "./schemas.ts";
import { storeRecoveryCodes } from "./store-recovery-codes.ts";

/** Replaces every recovery code (the old ones stop working); needs a current TOTP code. */
export function regenerateRecoveryCodes(
  ctx: DomainContext,
  input: TConfirmTotpInput,
): Promise<{ recoveryCodes: string[] }> {
  return storeRecoveryCodes(ctx, input, {
    secret: "enabled",
    enable: false,
    action: "admin.recovery_codes_regenerate",
  });
}
