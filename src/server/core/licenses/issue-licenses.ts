import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { licensesEventData } from "../events/payloads.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { withFreshKeys } from "./create-license.ts";
import { issueSummary, resolveIssueTerms } from "./issue-terms.ts";
import { generateLicenseKey } from "./license-key.ts";
import { ZIssueLicensesInput, type TIssueLicensesInput } from "./schemas.ts";

export interface IssuedLicenses {
  customerId: string;
  policyId: string;
  licenses: { id: string; key: string }[];
}

/** Rows per statement, well below both providers' limits on bound values (~30 per license, 4 per entitlement). */
const LICENSES_PER_INSERT = 200;
const ROWS_PER_INSERT = 1000;

/**
 * Bulk issue: `count` licenses for one customer from one policy (with the same overrides), in one
 * transaction: all or none. One audit event per license, and one for the batch.
 */
export async function issueLicenses(ctx: DomainContext, input: TIssueLicensesInput): Promise<IssuedLicenses> {
  requirePermission(ctx.actor, "license.write");
  const { count, ...parsed } = parseInput(ZIssueLicensesInput, input);
  const startsAt = parsed.startsAt ?? ctx.clock.now();

  return withFreshKeys(() =>
    mutate(ctx, async ({ tx, now, audit, emit }) => {
      const terms = await resolveIssueTerms(tx, ctx.actor, parsed, startsAt);
      const keys = new Set<string>();
      while (keys.size < count) keys.add(generateLicenseKey());
      const all = [...keys];
      const licenses: { id: string; key: string }[] = [];
      for (let i = 0; i < all.length; i += LICENSES_PER_INSERT) {
        const batch = all.slice(i, i + LICENSES_PER_INSERT);
        licenses.push(
          ...(await tx.license.createManyAndReturn({
            data: batch.map((key) => ({ ...terms.data, key, status: "active" })),
            select: { id: true, key: true },
          })),
        );
      }
      const rows = licenses.flatMap((l) => terms.entitlements.map((e) => ({ licenseId: l.id, ...e })));
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await tx.entitlement.createMany({ data: rows.slice(i, i + ROWS_PER_INSERT) });
      }
      const summary = issueSummary(terms);
      for (const license of licenses) {
        audit({
          action: "license.create",
          targetType: "license",
          targetId: license.id,
          summary: { ...summary, bulk: true },
        });
      }
      audit({
        action: "license.bulk_issue",
        targetType: "customer",
        targetId: terms.customer.id,
        summary: { ...summary, count: licenses.length },
      });
      // one license.created per license, read in one go; the group is the customer's (no lookup each)
      const payloads = await licensesEventData(
        tx,
        licenses.map((l) => l.id),
        now,
      );
      for (const license of licenses) {
        emit({
          type: "license.created",
          licenseId: license.id,
          groupId: terms.customer.groupId,
          data: { license: payloads.get(license.id) },
        });
      }
      return { customerId: terms.customer.id, policyId: parsed.policyId, licenses };
    }),
  );
}
