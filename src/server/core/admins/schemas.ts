import { z } from "zod";
import { ROLES } from "../context.ts";
import { ZId } from "../shared/schemas.ts";

// Free of server code: the admin UI's forms use these schemas too.
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const ZEmail = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());
export const ZRole = z.enum(ROLES);
export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
export const ZGroupIds = z
  .array(ZId)
  .max(500)
  .refine((ids) => new Set(ids).size === ids.length, "lists a group twice");

export const ZCreateAdminInput = z
  .object({
    email: ZEmail,
    name: z.string().trim().max(200).default(""),
    role: ZRole,
    groupIds: ZGroupIds.default([]),
    /** local accounts sign in with it; LDAP accounts have none */
    authSource: z.enum(["local", "ldap"]).default("local"),
    password: ZPassword.optional(),
  })
  .superRefine((value, issues) => {
    if (value.authSource === "local" && value.password === undefined) {
      issues.addIssue({ code: "custom", path: ["password"], message: "a local account needs a password" });
    }
    if (value.authSource === "ldap" && value.password !== undefined) {
      issues.addIssue({
        code: "custom",
        path: ["password"],
        message: "LDAP accounts sign in with their directory password",
      });
    }
  });
export type TCreateAdminInput = z.input<typeof ZCreateAdminInput>;

export const ZUpdateAdminInput = z.object({
  id: ZId,
  name: z.string().trim().max(200).optional(),
  role: ZRole.optional(),
  /** replaces the admin's groups */
  groupIds: ZGroupIds.optional(),
  /** a disabled admin cannot sign in, and its API keys stop working */
  disabled: z.boolean().optional(),
});
export type TUpdateAdminInput = z.input<typeof ZUpdateAdminInput>;

export const ZChangeOwnPasswordInput = z
  .object({ currentPassword: z.string().min(1, "is required").max(256), newPassword: ZPassword })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    error: "must differ from the current password",
  });
export type TChangeOwnPasswordInput = z.input<typeof ZChangeOwnPasswordInput>;

/** A super admin sets another local admin's password (a reset); its strength is checked in the operation. */
export const ZSetAdminPasswordInput = z.object({ id: ZId, password: ZPassword });
export type TSetAdminPasswordInput = z.input<typeof ZSetAdminPasswordInput>;
