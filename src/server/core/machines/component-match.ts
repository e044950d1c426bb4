// Tolerant machine matching: a machine is recognised by its hashed components (board, disk, cpu,
// mac, machine_id...) when its fingerprint changed. Pure functions, no database: the bind path
// (machine-binding.ts) and trials ("one per machine, ever") use the same rule.
import type { MachineMatching } from "../licenses/select.ts";

/** A machine's components: kind -> hash (hex SHA-256 computed by the SDK). */
export type Components = Readonly<Record<string, string>>;

/** The kinds whose hashes are equal on both sides, sorted. */
export function equalComponents(bound: Components, presented: Components): string[] {
  return Object.keys(bound)
    .filter((kind) => Object.hasOwn(presented, kind) && presented[kind] === bound[kind])
    .sort();
}

/**
 * Whether a presented machine is the bound one under the rule:
 * - fingerprint: never by components (the fingerprint alone decides);
 * - any: at least one kind present on both sides with equal hashes;
 * - most: more than half of the bound machine's components are present and equal;
 * - all: every component of the bound machine is present and equal.
 * A bound machine without components matches only by fingerprint.
 */
export function componentsMatch(bound: Components, presented: Components, rule: MachineMatching): boolean {
  const total = Object.keys(bound).length;
  if (rule === "fingerprint" || total === 0) return false;
  const equal = equalComponents(bound, presented).length;
  switch (rule) {
    case "any":
      return equal >= 1;
    case "most":
      return equal * 2 > total;
    case "all":
      return equal === total;
  }
}

/**
 * Reads a binding's stored components (a JSON object kind -> hash); anything else is no
 * components, so a malformed value can never match.
 */
export function parseComponents(value: unknown): Record<string, string> {
  if (typeof value === "string") {
    try {
      return parseComponents(JSON.parse(value) as unknown);
    } catch {
      return {};
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [kind, hash] of Object.entries(value)) {
    if (typeof hash === "string") out[kind] = hash;
  }
  return out;
}

/**
 * Among candidate bindings, the one that matches the presented components under the rule with
 * the most equal components (the earliest bound on a tie: candidates come in binding order).
 */
export function bestComponentMatch<T extends { components: Components }>(
  candidates: readonly T[],
  presented: Components,
  rule: MachineMatching,
): { binding: T; matched: string[] } | undefined {
  let best: { binding: T; matched: string[] } | undefined;
  for (const binding of candidates) {
    if (!componentsMatch(binding.components, presented, rule)) continue;
    const matched = equalComponents(binding.components, presented);
    if (!best || matched.length > best.matched.length) best = { binding, matched };
  }
  return best;
}
