// The first VALID use of a license, whichever RPC (Validate, Activate, GetEntitlements,
// RecordUsage): License.activatedAt is set once, and a license whose duration runs from the first
// activation gets its expiry then.
import { mutate } from "../shared/mutate.ts";
import type { ClientLicense } from "./client-license.ts";
import { asDomainContext, clientActor, type LicensingContext } from "./licensing-context.ts";

const DAY_MS = 86_400_000;

/**
 * Records a license's first activation (a no-op once activatedAt is set, which the license record
 * carries: no extra read after the first time) and returns the license as it now is. One
 * conditional update (`activatedAt` still null), so concurrent first validations set it once; the
 * others read what the winner stored. With durationFrom "first_activation", durationDays and no
 * expiry yet, the expiry becomes now + durationDays. Audited `license.activate`.
 */
export async function firstActivation(
  ctx: LicensingContext,
  license: ClientLicense,
  fingerprint: string,
  now: Date,
): Promise<ClientLicense> {
  if (license.activatedAt !== null) return license;
  const expiresAt =
    license.durationFrom === "first_activation" && license.durationDays !== null && license.expiresAt === null
      ? new Date(now.getTime() + license.durationDays * DAY_MS)
      : null;
  return mutate(asDomainContext(ctx, clientActor(license.id, fingerprint)), async ({ tx, audit }) => {
    const { count } = await tx.license.updateMany({
      where: { id: license.id, activatedAt: null },
      data: { activatedAt: now },
    });
    let expirySet = false;
    if (count === 1 && expiresAt) {
      // an admin may have set an expiry since the license was read: it stands
      const set = await tx.license.updateMany({
        where: { id: license.id, expiresAt: null },
        data: { expiresAt },
      });
      expirySet = set.count === 1;
    }
    const stored = await tx.license.findUniqueOrThrow({
      where: { id: license.id },
      select: { activatedAt: true, expiresAt: true },
    });
    if (count === 1) {
      audit({
        action: "license.activate",
        targetType: "license",
        targetId: license.id,
        summary: {
          fingerprint,
          activatedAt: now.toISOString(),
          ...(expirySet && expiresAt
            ? { expiresAt: expiresAt.toISOString(), durationDays: license.durationDays }
            : {}),
        },
      });
    }
    return { ...license, ...stored };
  });
}
