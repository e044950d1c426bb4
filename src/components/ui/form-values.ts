// Field text as the values the schemas expect: numbers (undefined when empty) and ISO date-times.

/** A numeric field's text as what the schema expects: a number, or undefined when empty. */
export function numberOrUndefined(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : Number(trimmed);
}

/** A date field's value (yyyy-mm-dd) as an ISO date-time at 00:00 UTC, or null when empty. */
export function dateToIso(text: string): string | null {
  return text ? new Date(`${text}T00:00:00Z`).toISOString() : null;
}
