import type { DomainContext } from "../context.ts";
import { invalidArgument } from "../errors.ts";
import { RELATION_MESSAGES } from "../shared/messages.ts";
import { parseInput } from "../shared/parse-input.ts";
import { changeLicenseStatus, type StatusChange } from "./change-status.ts";
import { refuseBeyondLatestExpiry } from "./issue-terms.ts";
import type { LicenseDto } from "./select.ts";
import { ZRenewLicenseInput, type TRenewLicenseInput } from "./schemas.ts";

/** Sets a later expiry; an expired license becomes active again, a suspended one stays suspended. */
export async function renewLicense(ctx: DomainContext, input: TRenewLicenseInput): Promise<LicenseDto> {
  const parsed = parseInput(ZRenewLicenseInput, input);
  return changeLicenseStatus(ctx, parsed.id, renewChange(parsed));
}

/**
 * The renewal as a status change, one per license (it remembers the new expiry for the event);
 * bulkChangeLicenses applies it to many licenses.
 */
export function renewChange(parsed: { expiresAt?: Date | null; extendDays?: number }): StatusChange {
  let renewedTo: Date | null = null;
  return {
    permission: "license.write",
    action: "license.renew",
    from: ["active", "suspended", "expired"],
    data: (license, now) => {
      let expiresAt: Date | null;
      if (parsed.extendDays !== undefined) {
        if (license.expiresAt === null) {
          throw invalidArgument("extendDays: the license is perpetual; there is no expiry to extend", [
            { path: "extendDays", message: "the license never expires: set an expiry date instead" },
          ]);
        }
        const base = license.expiresAt > now ? license.expiresAt : now;
        expiresAt = new Date(base.getTime() + parsed.extendDays * 86_400_000);
        refuseBeyondLatestExpiry(expiresAt, "extendDays");
      } else {
        expiresAt = parsed.expiresAt ?? null;
        const wrong =
          expiresAt === null
            ? undefined
            : expiresAt <= now
              ? RELATION_MESSAGES.expiryInFuture
              : expiresAt <= license.startsAt
                ? RELATION_MESSAGES.expiryAfterStart
                : undefined;
        if (wrong) throw invalidArgument(`expiresAt: ${wrong}`, [{ path: "expiresAt", message: wrong }]);
      }
      renewedTo = expiresAt;
      return {
        expiresAt,
        ...(license.status === "expired" || license.status === "active" ? { status: "active" } : {}),
      };
    },
    // license.renewed only when the expiry moved (a renewal to the same date changes nothing)
    event: (before) =>
      (before.expiresAt?.getTime() ?? null) === (renewedTo?.getTime() ?? null)
        ? null
        : { type: "license.renewed", data: { previousExpiresAt: before.expiresAt?.toISOString() ?? null } },
  };
}
