// License status as stored and as seen: an active license past its expiry is expired, whether or
// not a job has rewritten the stored status yet.
import type { Prisma } from "../../db/client.ts";

export const LICENSE_STATUSES = ["active", "suspended", "revoked", "expired"] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export function effectiveStatus(
  license: { status: string; expiresAt: Date | null },
  now: Date,
): LicenseStatus {
  const status = license.status as LicenseStatus;
  if (status === "active" && license.expiresAt !== null && license.expiresAt <= now) return "expired";
  return status;
}

/** Rows whose effective status is `status`. */
export function statusWhere(status: LicenseStatus, now: Date): Prisma.LicenseWhereInput {
  switch (status) {
    case "active":
      return { status: "active", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    case "expired":
      return { OR: [{ status: "expired" }, { status: "active", expiresAt: { lte: now } }] };
    default:
      return { status };
  }
}

/**
 * Licenses that still grant, or may grant again, the right to run: active or suspended and not
 * past expiry. Customers and products with such licenses cannot be archived or deleted.
 */
export function liveLicenseWhere(now: Date): Prisma.LicenseWhereInput {
  return { status: { in: ["active", "suspended"] }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}
