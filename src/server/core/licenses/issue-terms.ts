// The terms of a license being issued (one, or many at once): the policy's, with the input's
// overrides, or the input's with the defaults. Shared by createLicense and issueLicenses.
import type { z } from "zod";
import type { Tx } from "../../db/client.ts";
import type { Actor } from "../context.ts";
import { findCustomerInScope } from "../customers/find-customer.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { policyTermsSelect, toTermValues } from "../policies/select.ts";
import { RELATION_MESSAGES } from "../shared/messages.ts";
import {
  COLUMN_TERMS,
  refuseContradictions,
  sortTerms,
  termContradictions,
  TERM_COLUMNS,
  type PolicyTerm,
  type TermValues,
} from "../policies/terms.ts";
import { resolveEntitlements, type ResolvedEntitlement } from "./entitlements.ts";
import { defaultGracePeriodHours, type ZCreateLicenseInput } from "./schemas.ts";
import type { QuotaPeriod } from "./select.ts";

type IssueInput = Omit<z.output<typeof ZCreateLicenseInput>, "productId" | "policyId"> & {
  productId?: string;
  policyId?: string;
};

const DAY_MS = 86_400_000;

/** Terms of a license without a policy, where the input gives none. */
const DEFAULTS: Omit<TermValues, "gracePeriodHours"> = {
  type: "floating",
  seatLimit: 1,
  durationDays: null,
  durationFrom: "issue",
  heartbeatIntervalSeconds: 300,
  offlineAllowanceDays: 0,
  checkInIntervalDays: null,
  expiryStrategy: "restrict",
  overage: "none",
  machineMatching: "fingerprint",
};

export interface IssueTerms {
  /** the columns of License.create, without key and entitlements */
  data: TermValues & {
    customerId: string;
    productId: string;
    policyId: string | null;
    overrides: string;
    startsAt: Date;
    expiresAt: Date | null;
    metadata: string;
  };
  entitlements: ResolvedEntitlement[];
  overrides: PolicyTerm[];
  customer: { id: string; name: string; groupId: string };
  product: { code: string };
  policy: { id: string; name: string } | null;
}

/**
 * The latest expiry a license may have: the latest an ISO-8601 date-time (four-digit year) says,
 * which PostgreSQL's adapter also reads back (a later one read as an invalid date: answered 500).
 */
export const LATEST_EXPIRY = new Date("9999-12-31T23:59:59.999Z");

/** Refuses an expiry that a duration or an extension (`path`) would put after LATEST_EXPIRY. */
export function refuseBeyondLatestExpiry(expiresAt: Date | null | undefined, path: string): void {
  if (expiresAt && expiresAt > LATEST_EXPIRY) {
    throw invalidArgument(`${path}: the new expiry would be after 9999-12-31`, [
      { path, message: "the new expiry would be after 9999-12-31" },
    ]);
  }
}

/** The expiry a duration gives: counted from issue now, from the first activation once it happens. */
export function expiryOf(
  terms: Pick<TermValues, "durationDays" | "durationFrom">,
  startsAt: Date,
  activatedAt: Date | null,
): Date | null {
  if (terms.durationDays === null) return null;
  const from = terms.durationFrom === "issue" ? startsAt : activatedAt;
  return from ? new Date(from.getTime() + terms.durationDays * DAY_MS) : null;
}

/**
 * Checks the customer (in the actor's groups, not archived), the policy (of the product, live,
 * standard) and the product, and works out the terms; refuses contradictory ones.
 */
export async function resolveIssueTerms(
  tx: Tx,
  actor: Actor,
  input: IssueInput,
  startsAt: Date,
): Promise<IssueTerms> {
  const customer = await findCustomerInScope(tx, actor, input.customerId);
  if (customer.archivedAt) throw failedPrecondition(`customer "${customer.name}" is archived`);

  const policy = input.policyId
    ? await tx.policy.findUnique({
        where: { id: input.policyId },
        select: {
          id: true,
          name: true,
          kind: true,
          productId: true,
          archivedAt: true,
          ...policyTermsSelect,
          entitlements: { select: { featureId: true, quota: true, quotaPeriod: true } },
        },
      })
    : null;
  if (input.policyId && !policy) throw notFound("policy", input.policyId);
  if (policy) {
    if (input.productId !== undefined && input.productId !== policy.productId) {
      throw invalidArgument("policyId: the policy is for another product", [
        { path: "policyId", message: "a policy of another product" },
      ]);
    }
    if (policy.archivedAt)
      throw failedPrecondition(`policy "${policy.name}" is archived; no new licenses come from it`);
    if (policy.kind !== "standard") {
      throw failedPrecondition(
        `policy "${policy.name}" is a trial policy: trial licenses are started by the software (StartTrial)`,
      );
    }
  }
  const productId = policy?.productId ?? input.productId ?? "";
  const product = await tx.product.findUnique({
    where: { id: productId },
    select: { code: true, archivedAt: true },
  });
  if (!product) throw notFound("product", productId);
  if (product.archivedAt) throw failedPrecondition(`product ${product.code} is archived`);

  // the policy's terms (or the defaults), then each term the input gives: an override
  const overrides = new Set<PolicyTerm>();
  const base = policy ? toTermValues(policy) : undefined;
  const terms: Omit<TermValues, "gracePeriodHours"> & { gracePeriodHours?: number } = {
    ...(base ?? DEFAULTS),
  };
  for (const term of COLUMN_TERMS) {
    if (term === "duration") continue;
    const column = TERM_COLUMNS[term][0] as Exclude<keyof TermValues, "durationDays" | "durationFrom">;
    const value = input[column];
    if (value === undefined) continue;
    Object.assign(terms, { [column]: value });
    overrides.add(term);
  }
  const gracePeriodHours =
    terms.gracePeriodHours ?? defaultGracePeriodHours(terms.type, terms.checkInIntervalDays);

  let expiresAt: Date | null;
  if (input.expiresAt !== undefined || input.durationDays !== undefined || input.durationFrom !== undefined) {
    overrides.add("duration");
    terms.durationDays = input.expiresAt != null ? null : (input.durationDays ?? null);
    terms.durationFrom = input.durationFrom ?? "issue";
    expiresAt = input.expiresAt ?? expiryOf(terms, startsAt, null);
  } else {
    expiresAt = expiryOf(terms, startsAt, null);
  }
  refuseBeyondLatestExpiry(expiresAt, "durationDays");
  const full: TermValues = { ...terms, gracePeriodHours };
  refuseContradictions(termContradictions(full));
  if (expiresAt && expiresAt <= startsAt) {
    throw invalidArgument(`expiresAt: ${RELATION_MESSAGES.expiryAfterStart}`, [
      { path: "expiresAt", message: RELATION_MESSAGES.expiryAfterStart },
    ]);
  }

  let entitlements: ResolvedEntitlement[];
  if (input.entitlements !== undefined) {
    entitlements = await resolveEntitlements(tx, productId, input.entitlements);
    overrides.add("entitlements");
  } else {
    entitlements = (policy?.entitlements ?? []).map((e) => ({
      ...e,
      quotaPeriod: e.quotaPeriod as QuotaPeriod,
    }));
  }
  // without a policy, every term is the license's own: nothing to override
  const own = policy ? sortTerms(overrides) : [];
  return {
    data: {
      ...full,
      customerId: customer.id,
      productId,
      policyId: policy?.id ?? null,
      overrides: JSON.stringify(own),
      startsAt,
      expiresAt,
      metadata: JSON.stringify(input.metadata),
    },
    entitlements,
    overrides: own,
    customer,
    product,
    policy: policy ? { id: policy.id, name: policy.name } : null,
  };
}

/** The audit summary of an issued license. */
export function issueSummary(terms: IssueTerms): Record<string, unknown> {
  const { data, entitlements, overrides, customer, product, policy } = terms;
  const { metadata: _metadata, overrides: _overrides, ...columns } = data;
  return {
    ...columns,
    product: product.code,
    customer: customer.name,
    ...(policy ? { policy: policy.name, overrides } : {}),
    entitlements,
  };
}
