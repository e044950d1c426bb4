import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { changeLicenseStatus, type StatusChange } from "./change-status.ts";
import type { LicenseDto } from "./select.ts";
import { ZSuspendLicenseInput, type TSuspendLicenseInput } from "./schemas.ts";

/** Stops an active license from validating until it is reinstated; ends its open sessions. */
export async function suspendLicense(ctx: DomainContext, input: TSuspendLicenseInput): Promise<LicenseDto> {
  const { id, reason } = parseInput(ZSuspendLicenseInput, input);
  return changeLicenseStatus(ctx, id, suspendChange(reason));
}

/** The suspension as a status change (bulkChangeLicenses applies it to many licenses). */
export function suspendChange(reason: string | undefined): StatusChange {
  return {
    permission: "license.status",
    action: "license.suspend",
    from: ["active"],
    data: (_license, now) => ({ status: "suspended", suspendedAt: now, statusReason: reason ?? null }),
    endSessions: "license_suspended",
    summary: { reason },
    event: () => ({ type: "license.suspended", data: { reason: reason ?? null } }),
  };
}
