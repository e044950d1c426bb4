import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { ROLES, type Role } from "../context.ts";

/** What may leave the domain about an admin: never the password hash, TOTP secret or codes. */
export const adminSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  authSource: true,
  disabled: true,
  totpEnabled: true,
  lastLoginAt: true,
  passwordChangedAt: true,
  createdAt: true,
  updatedAt: true,
  groups: { select: { group: { select: { id: true, name: true } } }, orderBy: { group: { name: "asc" } } },
} satisfies Prisma.AdminSelect;

type AdminRow = Prisma.AdminGetPayload<{ select: typeof adminSelect }>;

export const ZAdminDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  authSource: z.enum(["local", "ldap"]),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  lastLoginAt: z.date().nullable(),
  passwordChangedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  groups: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type AdminDto = z.infer<typeof ZAdminDto>;

export function toAdminDto(row: AdminRow): AdminDto {
  return {
    ...row,
    role: row.role as Role,
    authSource: row.authSource as AdminDto["authSource"],
    groups: row.groups.map((g) => g.group),
  };
}
