import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { changeLicenseStatus } from "./change-status.ts";
import type { LicenseDto } from "./select.ts";

export const ZSuspendLicenseInput = z.object({ id: ZId, reason: z.string().trim().max(500).optional() });
export type TSuspendLicenseInput = z.input<typeof ZSuspendLicenseInput>;

/** Stops an active license from validating until it is reinstated; ends its open sessions. */
export async function suspendLicense(ctx: DomainContext, input: TSuspendLicenseInput): Promise<LicenseDto> {
  const { id, reason } = parseInput(ZSuspendLicenseInput, input);
  return changeLicenseStatus(ctx, id, {
    permission: "license.status",
    action: "license.suspend",
    from: ["active"],
    data: (_license, now) => ({ status: "suspended", suspendedAt: now, statusReason: reason ?? null }),
    endSessions: "license_suspended",
    summary: { reason },
  });
}
