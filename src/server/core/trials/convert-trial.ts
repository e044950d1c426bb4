// Trials becoming paid: (a) an admin converts the trial license itself (same key, same machine,
// a paying customer and paid terms); (b) a customer enters a paid key on a machine that had a
// trial of the product: the trial is marked converted to that license (the bind path calls
// convertTrialOnKeyEntered, so an ordinary validation costs nothing).
import type { Tx } from "../../db/client.ts";
import { inGroup, requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument, notFound } from "../errors.ts";
import { findCustomerInScope } from "../customers/find-customer.ts";
import { licenseEventData, trialEventData } from "../events/payloads.ts";
import type { Recorders } from "../sessions/session-rules.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { policyTermsSelect, toTermValues } from "../policies/select.ts";
import { refuseContradictions, termContradictions } from "../policies/terms.ts";
import { ZConvertTrialInput, type TConvertTrialInput } from "./schemas.ts";
import { toTrialDto, trialSelect, type TrialDto } from "./select.ts";

const DAY_MS = 86_400_000;

/** The paid terms from a standard policy of the trial's product, or from the given terms. */
async function paidTerms(
  tx: Tx,
  productId: string,
  input: ReturnType<typeof parseConvert>,
  license: { heartbeatIntervalSeconds: number; gracePeriodHours: number; offlineAllowanceDays: number },
  now: Date,
) {
  if (input.policyId !== undefined) {
    const policy = await tx.policy.findUnique({
      where: { id: input.policyId },
      select: {
        id: true,
        name: true,
        productId: true,
        kind: true,
        archivedAt: true,
        ...policyTermsSelect,
        entitlements: { select: { featureId: true, quota: true, quotaPeriod: true } },
      },
    });
    const issue = (message: string) =>
      invalidArgument(`policyId: ${message}`, [{ path: "policyId", message }]);
    if (!policy) throw notFound("policy", input.policyId);
    if (policy.productId !== productId) throw issue("is a policy of another product");
    if (policy.kind !== "standard") throw issue("is a trial policy: convert to a standard policy");
    if (policy.archivedAt) throw failedPrecondition(`policy "${policy.name}" is archived`);
    const { id, name, productId: _p, kind: _k, archivedAt: _a, entitlements, ...terms } = policy;
    const expiresAt =
      input.expiresAt !== undefined
        ? input.expiresAt
        : terms.durationDays === null
          ? null
          : new Date(now.getTime() + terms.durationDays * DAY_MS);
    return {
      policy: { id, name },
      data: { ...terms, policyId: id, overrides: "[]", expiresAt },
      entitlements,
    };
  }
  const given = input.terms ?? {};
  return {
    policy: null,
    data: {
      type: given.type ?? "node_locked",
      seatLimit: given.seatLimit ?? 1,
      heartbeatIntervalSeconds: given.heartbeatIntervalSeconds ?? license.heartbeatIntervalSeconds,
      gracePeriodHours: given.gracePeriodHours ?? license.gracePeriodHours,
      offlineAllowanceDays: given.offlineAllowanceDays ?? license.offlineAllowanceDays,
      expiryStrategy: given.expiryStrategy ?? "restrict",
      policyId: null,
      overrides: "[]",
      durationDays: null,
      durationFrom: "issue",
      expiresAt: input.expiresAt ?? null,
    },
    entitlements: null,
  };
}

const parseConvert = (input: TConvertTrialInput) => parseInput(ZConvertTrialInput, input);

/**
 * Converts a trial license into a paid one, keeping its key and machine binding: trial = false,
 * the paying customer, terms from a standard policy of the same product (or given terms) and a
 * new expiry. The trial is marked converted by an admin. Converting twice is refused.
 */
export async function convertTrial(ctx: DomainContext, input: TConvertTrialInput): Promise<TrialDto> {
  requirePermission(ctx.actor, "trial.convert");
  const parsed = parseConvert(input);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const trial = await tx.trial.findUnique({
      where: { id: parsed.trialId },
      select: {
        id: true,
        productId: true,
        convertedAt: true,
        convertedBy: true,
        license: {
          select: {
            id: true,
            status: true,
            expiresAt: true,
            ...policyTermsSelect,
            customer: { select: { name: true, groupId: true } },
          },
        },
      },
    });
    // a trial outside the actor's groups does not exist for them (nothing to probe)
    if (!trial || !inGroup(ctx.actor, trial.license.customer.groupId))
      throw notFound("trial", parsed.trialId);
    if (trial.convertedAt) {
      throw failedPrecondition(
        `the trial was already converted on ${trial.convertedAt.toISOString()} (${trial.convertedBy ?? "admin"})`,
      );
    }
    if (trial.license.status === "revoked") throw failedPrecondition("the trial license has been revoked");
    const customer = await findCustomerInScope(tx, ctx.actor, parsed.customerId);
    if (customer.archivedAt) throw failedPrecondition(`customer "${customer.name}" is archived`);
    const terms = await paidTerms(tx, trial.productId, parsed, trial.license, now);
    if (terms.data.expiresAt && terms.data.expiresAt <= now) {
      throw invalidArgument("expiresAt: must be in the future", [
        { path: "expiresAt", message: "must be in the future" },
      ]);
    }
    // the terms the license ends up with (given ones over those it keeps) must agree
    const issues = termContradictions(toTermValues({ ...trial.license, ...terms.data }));
    if (terms.policy === null) {
      // a kept term is not in the form: name the given one that contradicts it
      refuseContradictions(
        issues.map((i) => ({
          ...i,
          path: i.path === "checkInIntervalDays" ? "offlineAllowanceDays" : i.path,
        })),
        "terms.",
      );
    } else refuseContradictions(issues);
    // claim the trial first: of two conversions at once, the second finds it claimed
    const claimed = await tx.trial.updateMany({
      where: { id: trial.id, convertedAt: null },
      data: { convertedAt: now, convertedBy: "admin", convertedLicenseId: trial.license.id },
    });
    if (claimed.count === 0) throw failedPrecondition("the trial was converted meanwhile");
    await tx.license.update({
      where: { id: trial.license.id },
      data: {
        ...terms.data,
        trial: false,
        customerId: customer.id,
        // an expired trial comes back to life as the paid license
        status: trial.license.status === "expired" ? "active" : trial.license.status,
      },
      select: { id: true },
    });
    if (terms.entitlements) {
      await tx.entitlement.deleteMany({ where: { licenseId: trial.license.id } });
      await tx.entitlement.createMany({
        data: terms.entitlements.map((e) => ({ ...e, licenseId: trial.license.id })),
      });
    }
    const row = await tx.trial.findUniqueOrThrow({ where: { id: trial.id }, select: trialSelect });
    audit({
      action: "trial.convert",
      targetType: "license",
      targetId: trial.license.id,
      summary: {
        trialId: trial.id,
        by: "admin",
        customer: { from: trial.license.customer.name, to: customer.name },
        policy: terms.policy?.name ?? null,
        expiresAt: { from: trial.license.expiresAt, to: terms.data.expiresAt },
      },
      // the trial customer's group saw the license as a trial
      groupIds: [trial.license.customer.groupId],
    });
    // the license's group is the paying customer's now: the trial customer's group does not get it
    emit({
      type: "trial.converted",
      licenseId: trial.license.id,
      data: {
        trial: await trialEventData(tx, trial.id),
        license: await licenseEventData(tx, trial.license.id, now),
        by: "admin",
      },
    });
    return toTrialDto(row, now);
  });
}

/**
 * A paid (non-trial) license was bound to or activated on a machine: the machine's unconverted
 * trial of the same product (by fingerprint) counts as converted to it. Call inside the bind's
 * transaction; writes nothing when there is no such trial.
 */
export async function convertTrialOnKeyEntered(
  tx: Tx,
  license: { id: string; trial: boolean; product: { id: string } },
  fingerprint: string,
  now: Date,
  { audit, emit }: Recorders,
): Promise<void> {
  if (license.trial) return;
  const trials = await tx.trial.findMany({
    where: { productId: license.product.id, fingerprint, convertedAt: null },
    select: { id: true, licenseId: true },
  });
  for (const trial of trials) {
    const { count } = await tx.trial.updateMany({
      where: { id: trial.id, convertedAt: null },
      data: { convertedAt: now, convertedBy: "key_entered", convertedLicenseId: license.id },
    });
    if (count === 0) continue;
    audit({
      action: "trial.convert",
      targetType: "license",
      targetId: license.id,
      summary: { trialId: trial.id, by: "key_entered", trialLicenseId: trial.licenseId, fingerprint },
    });
    // about the paid license the trial moved to (its group's)
    emit({
      type: "trial.converted",
      licenseId: license.id,
      data: {
        trial: await trialEventData(tx, trial.id),
        license: await licenseEventData(tx, license.id, now),
        by: "key_entered",
      },
    });
  }
}
