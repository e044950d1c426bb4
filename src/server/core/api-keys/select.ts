import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { apiKeyBlockedReason } from "./key-status.ts";
import { ROLES, type Role } from "../context.ts";
import type { Settings } from "../settings/settings.ts";

/** Never the hash. */
export const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdById: true,
  createdBy: { select: { email: true, disabled: true, totpEnabled: true } },
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
  /**
   * why the key is refused though neither revoked nor expired (its owner is disabled, or has no
   * 2FA while the server requires it); null: it works
   */
  blockedReason: z.string().nullable(),
});
export type ApiKeyDto = z.infer<typeof ZApiKeyDto>;

/** `settings`: the server's, as read in the same request (they decide `blockedReason`). */
export function toApiKeyDto(row: ApiKeyRow, settings: Pick<Settings, "requireTwoFactor">): ApiKeyDto {
  const { createdBy, groups, ...rest } = row;
  return {
    ...rest,
    role: row.role as Role,
    createdByEmail: createdBy.email,
    groups: groups.map((g) => g.group),
    blockedReason: row.revokedAt ? null : apiKeyBlockedReason(createdBy, settings),
  };
}
