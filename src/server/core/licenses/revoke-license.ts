import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { changeLicenseStatus } from "./change-status.ts";
import type { LicenseDto } from "./select.ts";
import { ZRevokeLicenseInput, type TRevokeLicenseInput } from "./schemas.ts";

/** Ends a license for good: a revoked license never validates or changes again. */
export async function revokeLicense(ctx: DomainContext, input: TRevokeLicenseInput): Promise<LicenseDto> {
  const { id, reason } = parseInput(ZRevokeLicenseInput, input);
  return changeLicenseStatus(ctx, id, {
    permission: "license.status",
    action: "license.revoke",
    from: ["active", "suspended", "expired"],
    data: (_license, now) => ({ status: "revoked", revokedAt: now, statusReason: reason ?? null }),
    endSessions: "license_revoked",
    summary: { reason },
    event: () => ({ type: "license.revoked", data: { reason: reason ?? null } }),
  });
}
