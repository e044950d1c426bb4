// The terms a policy carries and its licenses inherit, and the checks that keep a set of terms
// consistent. Free of server code: the admin UI's forms run the same checks.
import { invalidArgument, type FieldIssue } from "../errors.ts";
import type {
  DurationFrom,
  ExpiryStrategy,
  LicenseType,
  MachineMatching,
  Overage,
} from "../licenses/select.ts";

/** The names a license's `overrides` lists: the terms it sets itself instead of inheriting them. */
export const POLICY_TERMS = [
  "type",
  "seatLimit",
  "duration",
  "heartbeatIntervalSeconds",
  "gracePeriodHours",
  "offlineAllowanceDays",
  "checkInIntervalDays",
  "expiryStrategy",
  "overage",
  "machineMatching",
  "entitlements",
] as const;
export type PolicyTerm = (typeof POLICY_TERMS)[number];

/** The columns a policy and a license share (entitlements are rows of their own). */
export interface TermValues {
  type: LicenseType;
  seatLimit: number;
  durationDays: number | null;
  durationFrom: DurationFrom;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  checkInIntervalDays: number | null;
  expiryStrategy: ExpiryStrategy;
  overage: Overage;
  machineMatching: MachineMatching;
}
export type ColumnTerm = Exclude<PolicyTerm, "entitlements">;

/** The columns of each term. */
export const TERM_COLUMNS: Record<ColumnTerm, readonly (keyof TermValues)[]> = {
  type: ["type"],
  seatLimit: ["seatLimit"],
  duration: ["durationDays", "durationFrom"],
  heartbeatIntervalSeconds: ["heartbeatIntervalSeconds"],
  gracePeriodHours: ["gracePeriodHours"],
  offlineAllowanceDays: ["offlineAllowanceDays"],
  checkInIntervalDays: ["checkInIntervalDays"],
  expiryStrategy: ["expiryStrategy"],
  overage: ["overage"],
  machineMatching: ["machineMatching"],
};
export const COLUMN_TERMS = Object.keys(TERM_COLUMNS) as ColumnTerm[];

/** The term a column belongs to (undefined: not a term, e.g. metadata). */
export function termOfColumn(column: string): ColumnTerm | undefined {
  return COLUMN_TERMS.find((term) => (TERM_COLUMNS[term] as readonly string[]).includes(column));
}

/** The values of `terms` for the columns of `term`. */
export function termColumns(term: ColumnTerm, terms: TermValues): Partial<TermValues> {
  return Object.fromEntries(TERM_COLUMNS[term].map((column) => [column, terms[column]]));
}

/** `overrides` as stored (a JSON array of term names); anything unreadable counts as none. */
export function parseOverrides(text: string): PolicyTerm[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return POLICY_TERMS.filter((term) => value.includes(term));
  } catch {
    return [];
  }
}

/** Overrides in the canonical order (the order of POLICY_TERMS), for storage. */
export const sortTerms = (terms: Iterable<PolicyTerm>): PolicyTerm[] => {
  const set = new Set(terms);
  return POLICY_TERMS.filter((term) => set.has(term));
};

/**
 * Terms that contradict each other, each with the field to fix and why, in the user's words.
 * Checks only what `terms` gives, so a form (or a partial change) can run it on what it has; the
 * operations run it again on the whole resulting set of terms.
 */
export function termContradictions(terms: Partial<TermValues>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { type, overage, checkInIntervalDays: checkIn, offlineAllowanceDays: offline } = terms;
  const { gracePeriodHours: grace, durationDays, durationFrom } = terms;
  if (type === "node_locked" && overage !== undefined && overage !== "none") {
    issues.push({
      path: "overage",
      message:
        "overage lets a floating license take seats beyond its limit; a node-locked license is bound to its machines: use overage none or type floating",
    });
  }
  if (checkIn != null && offline !== undefined && offline > 0 && checkIn > offline) {
    issues.push({
      path: "checkInIntervalDays",
      message: `a check-in every ${checkIn} days is longer than the offline allowance of ${offline} days: an offline file would run out before the check-in is due; shorten the interval or raise the allowance`,
    });
  }
  if (checkIn != null && grace !== undefined && grace > checkIn * 24) {
    issues.push({
      path: "gracePeriodHours",
      message: `a grace period of ${grace} hours outlasts the check-in interval of ${checkIn} days (${checkIn * 24} hours): a grace token never outlives the next required check-in; shorten the grace period or lengthen the interval`,
    });
  }
  if (durationFrom === "first_activation" && durationDays === null) {
    issues.push({
      path: "durationFrom",
      message:
        "a duration counted from the first activation needs a number of days; a perpetual license has none",
    });
  }
  return issues;
}

/**
 * What a trial policy must be: one machine, node-locked, for a fixed number of days from its start,
 * refused once it ends (expiry strategy restrict).
 */
export function trialContradictions(terms: Partial<TermValues>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (terms.type !== undefined && terms.type !== "node_locked")
    issues.push({
      path: "type",
      message: "a trial is bound to the machine that started it: use node-locked seats",
    });
  if (terms.seatLimit !== undefined && terms.seatLimit !== 1)
    issues.push({ path: "seatLimit", message: "a trial runs on one machine: use 1" });
  if (terms.durationDays === null)
    issues.push({ path: "durationDays", message: "a trial needs a length in days" });
  if (terms.durationFrom !== undefined && terms.durationFrom !== "issue")
    issues.push({ path: "durationFrom", message: "a trial counts from its start: use issue" });
  if (terms.expiryStrategy !== undefined && terms.expiryStrategy !== "restrict")
    issues.push({
      path: "expiryStrategy",
      message: "a trial stops working when it ends (a trial that keeps working is no trial): use restrict",
    });
  return issues;
}

/** INVALID_ARGUMENT naming every contradiction, when there are any. */
export function refuseContradictions(issues: FieldIssue[], prefix = ""): void {
  if (issues.length === 0) return;
  const fields = issues.map((issue) => ({ path: `${prefix}${issue.path}`, message: issue.message }));
  throw invalidArgument(
    `contradictory terms: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`,
    fields,
  );
}

/** Adds `issues` to a Zod refinement (schemas' superRefine). */
export function addIssues(
  ctx: { addIssue(issue: { code: "custom"; path: (string | number)[]; message: string }): void },
  issues: FieldIssue[],
): void {
  for (const issue of issues)
    ctx.addIssue({ code: "custom", path: issue.path.split("."), message: issue.message });
}
