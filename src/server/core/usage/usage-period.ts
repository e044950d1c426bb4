// Quota periods: usage counts from the start of the current UTC day or month, or ever.
import type { QuotaPeriod } from "../licenses/select.ts";

/** Start of the period that contains `now` (UTC); null for "total" (since the beginning). */
export function periodStart(period: QuotaPeriod, now: Date): Date | null {
  switch (period) {
    case "total":
      return null;
    case "day":
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    case "month":
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  }
}

/** The label of the period bucket a moment falls in: "2026-11-29", "2026-11" or "total". */
export function periodLabel(period: QuotaPeriod, at: Date): string {
  const iso = at.toISOString();
  switch (period) {
    case "total":
      return "total";
    case "day":
      return iso.slice(0, 10);
    case "month":
      return iso.slice(0, 7);
  }
}
