import { z } from "zod";
import type { Prisma } from "../../../generated/prisma-sqlite/client.ts";
import { ROLES, type Role } from "../context.ts";

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

export const ZApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(ROLES),
  createdById: z.string(),
  createdByEmail: z.string(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
  /** empty: the creator's groups at the time of each use */
  groups: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ApiKeyDto = z.infer<typeof ZApiKeyDto>;

export function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  const { createdBy, groups, ...rest } = row;
  return {
    ...rest,
    role: row.role as Role,
    createdByEmail: createdBy.email,
    groups: groups.map((g) => g.group),
  };
}
