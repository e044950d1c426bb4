import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import type { Role } from "../context.ts";

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

export interface AdminDto {
  id: string;
  email: string;
  name: string;
  role: Role;
  authSource: "local" | "ldap";
  disabled: boolean;
  totpEnabled: boolean;
  lastLoginAt: Date | null;
  passwordChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  groups: { id: string; name: string }[];
}

export function toAdminDto(row: AdminRow): AdminDto {
  return {
    ...row,
    role: row.role as Role,
    authSource: row.authSource as AdminDto["authSource"],
    groups: row.groups.map((g) => g.group),
  };
}
