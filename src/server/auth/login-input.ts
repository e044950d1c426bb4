// The sign-in input, free of server code: the admin UI's sign-in form uses it too.
import { z } from "zod";

export const ZLoginInput = z.object({
  /** an email; for directory accounts also the directory user name */
  email: z.string().trim().min(1, "is required").max(254),
  password: z.string().min(1, "is required").max(256),
  /** the 6-digit TOTP code, or a recovery code, when the account has 2FA */
  totp: z.string().trim().max(20).optional(),
});
export type TLoginInput = z.input<typeof ZLoginInput>;
