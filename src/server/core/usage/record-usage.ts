import { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { conflict } from "../errors.ts";
import { licenseEventData } from "../events/payloads.ts";
import { asDomainContext, clientActor, type LicensingContext } from "../validation/licensing-context.ts";
import { findClientLicense, licenseVerdict, lockLicense, usedSince } from "../validation/client-license.ts";
import { firstActivation } from "../validation/first-activation.ts";
import { checkMachine } from "../validation/validate-license.ts";
import { noControlCharacters, ZClientRequest } from "../validation/schemas.ts";
import type { QuotaPeriod } from "../licenses/select.ts";
import { inUnits } from "../shared/messages.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { periodStart } from "./usage-period.ts";

const PERIOD_WORD: Record<QuotaPeriod, string> = { total: "", day: "daily ", month: "monthly " };

/** The most one RecordUsage call may count: larger amounts are refused (INVALID_ARGUMENT on `amount`). */
export const MAX_USAGE_AMOUNT = 1_000_000_000;

export const ZRecordUsageInput = ZClientRequest.extend({
  featureCode: z
    .string()
    .trim()
    .min(1, "is required")
    .max(64)
    .refine(...noControlCharacters),
  amount: inUnits(z.number().int().min(1).max(MAX_USAGE_AMOUNT), "unit"),
  idempotencyKey: z
    .string()
    .trim()
    .min(1, "is required")
    .max(200)
    .refine(...noControlCharacters),
  /** optional: the session the use belongs to */
  sessionId: z
    .string()
    .trim()
    .max(64)
    .refine(...noControlCharacters)
    .optional(),
});
export type TRecordUsageInput = z.input<typeof ZRecordUsageInput>;

export interface UsageAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
  /** this idempotency key had been recorded before: the first answer, counted once */
  replayed: boolean;
  /** used in the current period (with this record when it counted) */
  used: number;
  quota: number | null;
  quotaPeriod: QuotaPeriod | null;
}

/**
 * Records use of a metered feature once per idempotency key (unique per license): a replay
 * answers what the first call answered and counts nothing. Refused calls record nothing, so a
 * retry after a refusal is judged afresh. The quota check and the write happen with the license
 * locked: concurrent calls cannot together exceed the quota or count one key twice. A VALID answer
 * is a use of the license: the first one activates it (../validation/first-activation.ts).
 */
export async function recordUsage(ctx: LicensingContext, input: TRecordUsageInput): Promise<UsageAnswer> {
  const { licenseKey, client, featureCode, amount, idempotencyKey, sessionId } = parseInput(
    ZRecordUsageInput,
    input,
  );
  const now = ctx.clock.now();
  const answer = (
    status: LicenseStatusCode,
    message: string,
    rest: Partial<Pick<UsageAnswer, "replayed" | "used" | "quota" | "quotaPeriod">> = {},
  ): UsageAnswer => ({
    status,
    message,
    serverTime: now,
    replayed: false,
    used: 0,
    quota: null,
    quotaPeriod: null,
    ...rest,
  });

  const license = await findClientLicense(ctx.reads, licenseKey);
  let verdict = await licenseVerdict(ctx, license, client, now);
  if (!license || verdict.status !== "VALID") return answer(verdict.status, verdict.message);
  if (license.type === "node_locked") {
    verdict = await checkMachine(ctx, license, client, now);
    if (verdict.status !== "VALID") return answer(verdict.status, verdict.message);
  }
  const entitlement = license.entitlements.find((e) => e.feature.code === featureCode);
  if (!entitlement) {
    return answer("FEATURE_NOT_ENTITLED", `the license does not grant feature ${featureCode}`);
  }
  if (entitlement.feature.kind !== "metered") {
    return answer("FEATURE_NOT_ENTITLED", `feature ${featureCode} is not metered: it has no usage to record`);
  }
  const quota = entitlement.quota;
  const quotaPeriod = entitlement.quotaPeriod as QuotaPeriod;
  if (sessionId) {
    const session = await ctx.reads.session(sessionId);
    if (session?.licenseId !== license.id) {
      return answer("SESSION_NOT_FOUND", "the license has no such session", { quota, quotaPeriod });
    }
  }

  const recorded = await mutate(
    asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
    async ({ tx, emit }) => {
      await lockLicense(tx, ctx.provider, license.id);
      const earlier = await tx.usageRecord.findUnique({
        where: { licenseId_idempotencyKey: { licenseId: license.id, idempotencyKey } },
        select: { featureId: true, amount: true, usedAfter: true },
      });
      if (earlier) {
        if (earlier.featureId !== entitlement.feature.id || earlier.amount !== amount) {
          throw conflict("this idempotency key was already used for a different feature or amount", [
            { path: "idempotencyKey", message: "already used for a different record" },
          ]);
        }
        return answer("VALID", "already recorded: counted once", {
          replayed: true,
          used: Number(earlier.usedAfter),
          quota,
          quotaPeriod,
        });
      }
      const used = await usedSince(tx, license.id, entitlement.feature.id, periodStart(quotaPeriod, now));
      if (quota !== null && used + amount > quota) {
        return answer(
          "QUOTA_EXCEEDED",
          `recording ${amount} would exceed the ${PERIOD_WORD[quotaPeriod]}quota of ${quota} (${used} used)`,
          { used, quota, quotaPeriod },
        );
      }
      await tx.usageRecord.create({
        data: {
          licenseId: license.id,
          featureId: entitlement.feature.id,
          sessionId: sessionId || null,
          amount,
          idempotencyKey,
          usedAfter: BigInt(used + amount),
          recordedAt: now,
        },
        select: { id: true },
      });
      // this record made the period's total reach the quota (once per crossing; a replay counts
      // nothing and sends nothing)
      if (quota !== null && used < quota && used + amount >= quota) {
        const { id, code, name } = entitlement.feature;
        emit({
          type: "usage.quota_reached",
          licenseId: license.id,
          data: {
            license: await licenseEventData(tx, license.id, now),
            feature: { id, code, name },
            quota,
            used: used + amount,
            period: quotaPeriod,
          },
        });
      }
      return answer("VALID", "usage recorded", { used: used + amount, quota, quotaPeriod });
    },
  );
  if (recorded.status === "VALID") await firstActivation(ctx, license, client.fingerprint, now);
  return recorded;
}
