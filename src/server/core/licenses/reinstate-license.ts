import { z } from "zod";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { changeLicenseStatus, type StatusChange } from "./change-status.ts";
import type { LicenseDto } from "./select.ts";

export const ZReinstateLicenseInput = z.object({ id: ZId });
export type TReinstateLicenseInput = z.input<typeof ZReinstateLicenseInput>;

/** Lifts a suspension. A license that expired while suspended comes back expired. */
export async function reinstateLicense(
  ctx: DomainContext,
  input: TReinstateLicenseInput,
): Promise<LicenseDto> {
  const { id } = parseInput(ZReinstateLicenseInput, input);
  return changeLicenseStatus(ctx, id, reinstateChange());
}

/** Lifting a suspension as a status change (bulkChangeLicenses applies it to many licenses). */
export function reinstateChange(): StatusChange {
  return {
    permission: "license.status",
    action: "license.reinstate",
    from: ["suspended"],
    data: () => ({ status: "active", suspendedAt: null, statusReason: null }),
    event: () => ({ type: "license.reinstated", data: { reason: null } }),
  };
}
