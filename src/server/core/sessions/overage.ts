// Overage: a floating license may grant seats beyond its seat limit, up to floor(seatLimit × the
// level's factor) ("always": no cap). A seat beyond the limit is granted with Standing.overage,
// audited (license.overage) and counted (the metrics module observes overageObservers; the domain
// does not import the metrics). Node-locked licenses have no overage (their seats are machines).
import type { Overage } from "../licenses/select.ts";
import type { ClientLicense } from "../validation/client-license.ts";

export const OVERAGE_FACTORS: Readonly<Record<Overage, number>> = {
  none: 1,
  x1_25: 1.25,
  x1_5: 1.5,
  x2: 2,
  always: Number.POSITIVE_INFINITY,
};

/** The seats a license may grant: its limit, or the limit with the overage allowance (floating). */
export function allowedSeats(license: Pick<ClientLicense, "type" | "seatLimit" | "overage">): number {
  if (license.type !== "floating") return license.seatLimit;
  // an unknown stored level grants nothing beyond the limit
  const level = license.overage as Overage;
  const factor = Object.hasOwn(OVERAGE_FACTORS, level) ? OVERAGE_FACTORS[level] : 1;
  return factor === Number.POSITIVE_INFINITY
    ? Number.POSITIVE_INFINITY
    : Math.max(license.seatLimit, Math.floor(license.seatLimit * factor));
}

/** The refusal's message when every seat the license may grant is taken. */
export function seatsExhaustedMessage(
  license: Pick<ClientLicense, "type" | "seatLimit" | "overage">,
): string {
  const limit = license.seatLimit;
  const seats = `${limit} seat${limit === 1 ? "" : "s"}`;
  const allowed = allowedSeats(license);
  if (allowed === limit) return `all ${limit === 1 ? `${seats} is` : `${seats} are`} in use`;
  const extra = allowed - limit;
  return `all ${seats} and the overage allowance (${license.overage}: ${extra} more seat${extra === 1 ? "" : "s"}, ${allowed} in all) are in use`;
}

export interface OverageGrant {
  licenseId: string;
  productCode: string;
  seatsInUse: number;
  seatLimit: number;
}

/** Told once per session started beyond its license's seat limit, after the transaction committed. */
export const overageObservers = new Set<(grant: OverageGrant) => void>();

export function notifyOverage(grant: OverageGrant): void {
  for (const observe of overageObservers) observe(grant);
}
