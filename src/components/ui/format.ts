// How values read in the UI: dates and date-times (the API sends ISO strings), "in 12 days",
// and codes (roles, statuses, types) with their underscores turned into spaces.

/** Dates arrive from the API as ISO strings (no transformer); accept both. */
export type DateLike = Date | string | null | undefined;

export function toDate(value: DateLike): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "short", day: "2-digit" });

export function formatDateTime(value: DateLike, empty = "—"): string {
  const date = toDate(value);
  return date ? dateTimeFormat.format(date) : empty;
}

export function formatDate(value: DateLike, empty = "—"): string {
  const date = toDate(value);
  return date ? dateFormat.format(date) : empty;
}

/** "in 12 days", "3 days ago" */
export function relativeDays(value: DateLike): string {
  const date = toDate(value);
  if (!date) return "";
  const days = Math.round((date.getTime() - Date.now()) / 86_400_000);
  if (days === 0) return "today";
  return days > 0 ? `in ${days} day${days === 1 ? "" : "s"}` : `${-days} day${days === -1 ? "" : "s"} ago`;
}

/** "super_admin" → "super admin": how codes (roles, statuses, types) read in the UI. */
export function codeLabel(code: string): string {
  return code.replace("_", " ");
}
