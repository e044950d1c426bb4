import type { Tx } from "../../db/client.ts";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument } from "../errors.ts";
import { entitlementsEventData, licenseEventData } from "../events/payloads.ts";
import { policyTermsSelect, toTermValues } from "../policies/select.ts";
import { RELATION_MESSAGES } from "../shared/messages.ts";
import {
  parseOverrides,
  refuseContradictions,
  sortTerms,
  termColumns,
  termContradictions,
  termOfColumn,
  type PolicyTerm,
  type TermValues,
} from "../policies/terms.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { findLicenseInScope } from "./find-license.ts";
import { expiryOf, refuseBeyondLatestExpiry } from "./issue-terms.ts";
import { licenseSelect, toLicenseDto, type LicenseDto } from "./select.ts";
import { ZUpdateLicenseInput, type TUpdateLicenseInput } from "./schemas.ts";

/**
 * Changes a license's terms and its expiry. On a license issued from a policy, each changed term
 * becomes an override (a policy change no longer reaches it), and each term in `inherit` takes the
 * policy's current value again and stops being one; inheriting the duration recomputes the expiry
 * from it. A new expiry is a fixed date, as when issued with one: the license's duration becomes
 * none (perpetual or that date) counted from issue, and on a policy license an override.
 */
export async function updateLicense(ctx: DomainContext, input: TUpdateLicenseInput): Promise<LicenseDto> {
  requirePermission(ctx.actor, "license.write");
  const { id, metadata, expiresAt, inherit = [], ...given } = parseInput(ZUpdateLicenseInput, input);
  const patch = Object.fromEntries(
    Object.entries(given as Record<string, unknown>).filter(([, v]) => v !== undefined),
  ) as Partial<TermValues>;
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const license = await findLicenseInScope(tx, ctx.actor, id);
    if (license.status === "revoked")
      throw failedPrecondition("the license is revoked; a revoked license cannot change");
    const before = await tx.license.findUniqueOrThrow({
      where: { id },
      select: { ...licenseSelect, policyId: true },
    });
    const current = toTermValues(before);
    let overrides = parseOverrides(before.overrides);
    const expiry = expiresAt === undefined ? undefined : newExpiry(before, expiresAt);

    const inherited = inherit.length > 0 ? await inheritTerms(tx, before, inherit) : undefined;
    const data: Partial<TermValues> & { expiresAt?: Date | null; metadata?: string } = {
      ...inherited?.data,
      ...patch,
      ...expiry,
      ...(metadata !== undefined ? { metadata: JSON.stringify(metadata) } : {}),
    };
    refuseContradictions(termContradictions({ ...current, ...data }));

    const changed = changes(before as Record<string, unknown>, data);
    if (before.policyId) {
      const set = new Set(overrides.filter((t) => !inherit.includes(t)));
      for (const column of Object.keys(changes(before as Record<string, unknown>, patch))) {
        const term = termOfColumn(column);
        if (term) set.add(term);
      }
      if (expiry) set.add("duration");
      const next = sortTerms(set);
      if (JSON.stringify(next) !== JSON.stringify(overrides))
        changed.overrides = { from: overrides, to: next };
      overrides = next;
    }
    let entitlementChange: { from: unknown; to: unknown } | undefined;
    if (inherited?.entitlements) {
      const from = await entitlementsEventData(tx, id);
      await replaceEntitlements(tx, id, inherited.entitlements);
      const to = await entitlementsEventData(tx, id);
      if (JSON.stringify(from) !== JSON.stringify(to)) entitlementChange = { from, to };
    }
    const updated = await tx.license.update({
      where: { id },
      data: { ...data, overrides: JSON.stringify(overrides) },
      select: licenseSelect,
    });
    audit({
      action: "license.update",
      targetType: "license",
      targetId: id,
      summary: { ...changed, ...(inherit.length > 0 ? { inherited: inherit } : {}) },
    });
    // the audit's changes (and the entitlements an inherit replaced); nothing changed: no event
    const eventChanges = { ...changed, ...(entitlementChange ? { entitlements: entitlementChange } : {}) };
    if (Object.keys(eventChanges).length > 0) {
      emit({
        type: "license.updated",
        licenseId: id,
        data: { license: await licenseEventData(tx, id, now), changes: eventChanges },
      });
    }
    return toLicenseDto(updated, now);
  });
}

/**
 * The columns a new expiry writes (undefined: it is the current one, nothing changes). Refused
 * on or before the start: the license would never have run.
 */
function newExpiry(
  license: { startsAt: Date; expiresAt: Date | null },
  expiresAt: Date | null,
): { expiresAt: Date | null; durationDays: null; durationFrom: "issue" } | undefined {
  if ((expiresAt?.getTime() ?? null) === (license.expiresAt?.getTime() ?? null)) return undefined;
  if (expiresAt !== null && expiresAt <= license.startsAt) {
    throw invalidArgument(`expiresAt: ${RELATION_MESSAGES.expiryAfterStart}`, [
      { path: "expiresAt", message: RELATION_MESSAGES.expiryAfterStart },
    ]);
  }
  return { expiresAt, durationDays: null, durationFrom: "issue" };
}

interface PolicyEntitlementRow {
  featureId: string;
  quota: number | null;
  quotaPeriod: string;
}

/** The policy's current values of `terms` for this license. */
async function inheritTerms(
  tx: Tx,
  license: { policyId: string | null; startsAt: Date; activatedAt: Date | null },
  terms: PolicyTerm[],
): Promise<{
  data: Partial<TermValues> & { expiresAt?: Date | null };
  entitlements?: PolicyEntitlementRow[];
}> {
  const policy = license.policyId
    ? await tx.policy.findUnique({
        where: { id: license.policyId },
        select: {
          ...policyTermsSelect,
          entitlements: { select: { featureId: true, quota: true, quotaPeriod: true } },
        },
      })
    : null;
  if (!policy) {
    throw invalidArgument("inherit: the license was not issued from a policy; there is nothing to inherit", [
      { path: "inherit", message: "the license has no policy" },
    ]);
  }
  const values = toTermValues(policy);
  const data: Partial<TermValues> & { expiresAt?: Date | null } = {};
  for (const term of terms) {
    if (term === "entitlements") continue;
    Object.assign(data, termColumns(term, values));
    if (term === "duration") {
      data.expiresAt = expiryOf(values, license.startsAt, license.activatedAt);
      refuseBeyondLatestExpiry(data.expiresAt, "inherit");
    }
  }
  return { data, ...(terms.includes("entitlements") ? { entitlements: policy.entitlements } : {}) };
}

async function replaceEntitlements(tx: Tx, licenseId: string, rows: PolicyEntitlementRow[]): Promise<void> {
  await tx.entitlement.deleteMany({ where: { licenseId } });
  if (rows.length > 0) await tx.entitlement.createMany({ data: rows.map((e) => ({ licenseId, ...e })) });
}
