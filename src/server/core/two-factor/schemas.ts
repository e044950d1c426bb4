// The two-factor input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";

export const ZTotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "must be the 6-digit code from your authenticator");
export const ZConfirmTotpInput = z.object({ code: ZTotpCode });
export type TConfirmTotpInput = z.input<typeof ZConfirmTotpInput>;

export const ZDisableTotpInput = z.object({
  password: z.string().min(1, "is required").max(256),
  code: ZTotpCode,
});
export type TDisableTotpInput = z.input<typeof ZDisableTotpInput>;
