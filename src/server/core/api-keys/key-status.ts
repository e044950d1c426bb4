// Why a key that is neither revoked nor expired still does not work: its owner. Shared by the key
// authentication (the 403 it answers) and the key listing (the `blockedReason` it shows), so the
// two never disagree. Free of database code.
import type { Settings } from "../settings/settings.ts";

export interface ApiKeyOwnerState {
  disabled: boolean;
  totpEnabled: boolean;
}

/** The owner is disabled: the key is refused as if revoked (401, like any unusable key). */
export const OWNER_DISABLED_REASON = "its owner's account is disabled";
/** 2FA is required and the owner has none: the key is refused with this reason (403). */
export const OWNER_WITHOUT_TWO_FACTOR_REASON =
  "two-factor authentication is required on this server and the key's owner has not enrolled it; the key works again once they do";

export function apiKeyBlockedReason(
  owner: ApiKeyOwnerState,
  settings: Pick<Settings, "requireTwoFactor">,
): string | null {
  if (owner.disabled) return OWNER_DISABLED_REASON;
  if (settings.requireTwoFactor && !owner.totpEnabled) return OWNER_WITHOUT_TWO_FACTOR_REASON;
  return null;
}
