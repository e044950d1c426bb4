import type { Actor, Role } from "../core/context.ts";
import { apiKeyMatches, apiKeyPrefix } from "../core/api-keys/api-key-format.ts";
import { DomainError, forbidden } from "../core/errors.ts";
import { readSettings } from "../core/settings/settings.ts";
import type { Db } from "../db/client.ts";
import { OWNER_WITHOUT_TWO_FACTOR_REASON } from "../core/api-keys/key-status.ts";
import { roleAtLeast } from "../core/access/policy.ts";

const LAST_USED_RESOLUTION_MS = 60_000;
const unauthenticated = () => new DomainError("UNAUTHENTICATED", "invalid, expired or revoked API key");

/**
 * Resolves an `lsk_` key to the actor it acts as: the key's role, capped by its creator's current
 * role, within the key's groups that the creator still has (all of the creator's when the key
 * names none). A disabled creator disables the key. Every failure looks the same to the caller
 * (401), but one: while "require 2FA" is on, a genuine key whose creator has no TOTP is refused
 * with FORBIDDEN and the reason (the holder of the real key learns nothing new from it), until
 * the creator enrolls.
 */
export async function authenticateApiKey(db: Db, key: string, now: Date): Promise<Actor> {
  const prefix = apiKeyPrefix(key);
  if (!prefix) throw unauthenticated();
  const row = await db.apiKey.findUnique({
    where: { prefix },
    select: {
      id: true,
      name: true,
      keyHash: true,
      role: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      groups: { select: { groupId: true } },
      createdBy: {
        select: { role: true, disabled: true, totpEnabled: true, groups: { select: { groupId: true } } },
      },
    },
  });
  if (!row || !apiKeyMatches(key, row.keyHash)) throw unauthenticated();
  if (row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.createdBy.disabled)
    throw unauthenticated();
  if (!row.createdBy.totpEnabled && (await readSettings(db)).requireTwoFactor) {
    throw forbidden(`this API key is blocked: ${OWNER_WITHOUT_TWO_FACTOR_REASON}`);
  }

  const keyRole = row.role as Role;
  const creatorRole = row.createdBy.role as Role;
  const role = roleAtLeast(creatorRole, keyRole) ? keyRole : creatorRole;
  const creatorGroups = row.createdBy.groups.map((g) => g.groupId);
  const keyGroups = row.groups.map((g) => g.groupId);
  const groupIds =
    keyGroups.length === 0
      ? creatorGroups
      : creatorRole === "super_admin"
        ? keyGroups
        : keyGroups.filter((id) => creatorGroups.includes(id));

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now }, select: { id: true } });
  }
  // A key limited to groups acts inside them only, even when it carries super_admin.
  const effectiveRole: Role = role === "super_admin" && keyGroups.length > 0 ? "admin" : role;
  return { type: "api_key", id: row.id, label: `${row.name} (${prefix})`, role: effectiveRole, groupIds };
}
