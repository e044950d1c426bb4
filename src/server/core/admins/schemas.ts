import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../auth/password.ts";
import { ROLES } from "../context.ts";
import { ZId } from "../shared/schemas.ts";

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
