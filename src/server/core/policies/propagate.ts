// A policy change reaching its licenses: each changed term is written to every license of the
// policy that does not override it, in the caller's transaction, with a few updateMany calls per
// group of licenses receiving the same terms (not one update per license).
import type { Tx } from "../../db/client.ts";
import { failedPrecondition } from "../errors.ts";
import type { ResolvedEntitlement } from "../licenses/entitlements.ts";
import { policyTermsSelect, toTermValues } from "./select.ts";
import {
  COLUMN_TERMS,
  parseOverrides,
  termColumns,
  termContradictions,
  type ColumnTerm,
  type PolicyTerm,
  type TermValues,
} from "./terms.ts";

/** A policy's terms and entitlements. */
export interface PolicyState extends TermValues {
  entitlements: ResolvedEntitlement[];
}

export interface TermChange {
  term: PolicyTerm;
  from: unknown;
  to: unknown;
}

const byFeature = (list: ResolvedEntitlement[]) =>
  [...list]
    .sort((a, b) => a.featureId.localeCompare(b.featureId))
    .map((e) => ({ featureId: e.featureId, quota: e.quota, quotaPeriod: e.quotaPeriod }));

/** The terms that differ between two states of a policy, with their values before and after. */
export function termChanges(before: PolicyState, after: PolicyState): TermChange[] {
  const out: TermChange[] = [];
  for (const term of COLUMN_TERMS) {
    const from = termColumns(term, before);
    const to = termColumns(term, after);
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      const single = Object.keys(from).length === 1;
      out.push({
        term,
        from: single ? Object.values(from)[0] : from,
        to: single ? Object.values(to)[0] : to,
      });
    }
  }
  const [from, to] = [byFeature(before.entitlements), byFeature(after.entitlements)];
  if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ term: "entitlements", from, to });
  return out;
}

/** Licenses a refused change names by id (the rest are counted). */
const CONFLICTS_NAMED = 10;

export interface PolicyChangePlan {
  /** licenses receiving at least one term */
  licenses: number;
  terms: (TermChange & { licenses: number; overriding: number })[];
  /** licenses grouped by the terms they receive */
  groups: { terms: PolicyTerm[]; ids: string[] }[];
}

/**
 * Who receives which changed term: the policy's licenses (not revoked) that do not override it.
 * A duration reaches only licenses whose duration has not started counting (not activated, no
 * expiry yet), and only when the new duration does not count from issue (that would set an
 * expiry on each: renewals do that); no license's expiry moves. Refused when a license's own
 * overrides would contradict a term it receives (e.g. its overage on a policy turned node-locked).
 */
export async function planPolicyChange(
  tx: Tx,
  policyId: string,
  changes: TermChange[],
  next: TermValues,
): Promise<PolicyChangePlan> {
  const terms = changes.map((c) => ({ ...c, licenses: 0, overriding: 0 }));
  if (changes.length === 0) return { licenses: 0, terms, groups: [] };
  const rows = await tx.license.findMany({
    where: { policyId, status: { not: "revoked" } },
    select: {
      id: true,
      overrides: true,
      activatedAt: true,
      expiresAt: true,
      ...policyTermsSelect,
    },
    orderBy: { id: "asc" },
  });
  const durationReaches = next.durationDays === null || next.durationFrom === "first_activation";
  const groups = new Map<string, { terms: PolicyTerm[]; ids: string[] }>();
  // named by id only: a refusal (or a preview's) never carries a license key
  const conflicts: { id: string; issue: string }[] = [];
  for (const row of rows) {
    const own = parseOverrides(row.overrides);
    const receives: PolicyTerm[] = [];
    for (const change of terms) {
      if (own.includes(change.term)) {
        change.overriding++;
        continue;
      }
      if (
        change.term === "duration" &&
        !(durationReaches && row.activatedAt === null && row.expiresAt === null)
      )
        continue;
      change.licenses++;
      receives.push(change.term);
    }
    if (receives.length === 0) continue;
    const current = toTermValues(row);
    const merged = { ...current, ...columnsOf(receives, next) };
    if (own.length > 0 && termContradictions(current).length === 0) {
      const issue = termContradictions(merged)[0];
      if (issue) conflicts.push({ id: row.id, issue: `${issue.path}: ${issue.message}` });
    }
    const key = receives.join(",");
    const group = groups.get(key) ?? { terms: receives, ids: [] };
    group.ids.push(row.id);
    groups.set(key, group);
  }
  const [first] = conflicts;
  if (first) {
    const shown = conflicts.slice(0, CONFLICTS_NAMED).map((c) => c.id);
    const more = conflicts.length - shown.length;
    throw failedPrecondition(
      `${conflicts.length} license(s) of the policy override terms that would contradict the change (${first.issue}): license id(s) ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}; change their overrides first`,
    );
  }
  const licenses = [...groups.values()].reduce((sum, g) => sum + g.ids.length, 0);
  return { licenses, terms, groups: [...groups.values()] };
}

const columnsOf = (terms: PolicyTerm[], values: TermValues): Partial<TermValues> =>
  Object.assign(
    {},
    ...terms.filter((t): t is ColumnTerm => t !== "entitlements").map((t) => termColumns(t, values)),
  ) as Partial<TermValues>;

/** Ids per statement: well below both providers' limits on bound parameters. */
const CHUNK = 500;

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Writes the plan: the new term values, and the entitlement rows where entitlements changed. */
export async function applyPolicyChange(
  tx: Tx,
  plan: PolicyChangePlan,
  next: PolicyState,
  now: Date,
): Promise<void> {
  for (const group of plan.groups) {
    const data = { ...columnsOf(group.terms, next), updatedAt: now };
    const entitlements = group.terms.includes("entitlements");
    for (const ids of chunks(group.ids)) {
      await tx.license.updateMany({ where: { id: { in: ids } }, data });
      if (!entitlements) continue;
      await tx.entitlement.deleteMany({ where: { licenseId: { in: ids } } });
      const rows = ids.flatMap((licenseId) => next.entitlements.map((e) => ({ licenseId, ...e })));
      for (const batch of chunks(rows)) await tx.entitlement.createMany({ data: batch });
    }
  }
}
