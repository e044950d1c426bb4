import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import type { Role } from "../context.ts";

/** Never the hash. */
export const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdById: true,
  createdBy: { select: { email: true } },
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdAt: true,
  groups: { select: { group: { select: { id: true, name: true } } } },
} satisfies Prisma.ApiKeySelect;

type ApiKeyRow = Prisma.ApiKeyGetPayload<{ select: typeof apiKeySelect }>;

export interface ApiKeyDto {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdById: string;
  createdByEmail: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** empty: the creator's groups at the time of each use */
  groups: { id: string; name: string }[];
}

export function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  const { createdBy, groups, ...rest } = row;
  return {
    ...rest,
    role: row.role as Role,
    createdByEmail: createdBy.email,
    groups: groups.map((g) => g.group),
  };
}
