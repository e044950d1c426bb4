// StartTrial: shipped software asks for a trial on this machine without a license key. The
// product's live trial policy issues a node-locked, single-machine trial license (License.trial)
// for the policy's trial customer, bound to the machine: one per product and machine, ever (the
// same fingerprint, or components matching under the policy's machineMatching rule).
import { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import type { Db, Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { Actor } from "../context.ts";
import { DomainError } from "../errors.ts";
import { licenseEventData, machineEventData, trialEventData } from "../events/payloads.ts";
import { generateLicenseKey } from "../licenses/license-key.ts";
import type { MachineMatching } from "../licenses/select.ts";
import { componentsMatch, parseComponents } from "../machines/component-match.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import {
  entitlementViews,
  graceFor,
  licenseView,
  NO_STANDING,
  type EntitlementView,
  type GraceGrant,
  type LicenseView,
  type Standing,
} from "../validation/client-license.ts";
import { asDomainContext, type LicensingContext } from "../validation/licensing-context.ts";
import { ZClientInfo, type ClientInfo } from "../validation/schemas.ts";

/** StartTrial (licensing API): the product and the machine, and optionally who is trying it. */
export const ZStartTrialInput = z.object({
  client: ZClientInfo,
  email: z.union([z.literal(""), z.email("must be an email address").max(254)]).default(""),
});
export type TStartTrialInput = z.input<typeof ZStartTrialInput>;

const DAY_MS = 86_400_000;
/** A trial policy without a duration still ends: this many days. */
export const DEFAULT_TRIAL_DAYS = 14;
const KEY_ATTEMPTS = 5;

export interface StartTrialAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
  /** VALID: the trial license's key */
  licenseKey: string | null;
  license: LicenseView | null;
  entitlements: EntitlementView[];
  grace: GraceGrant | null;
  standing: Standing | null;
}

/** The client asking for a trial, as an audit actor: it has no license yet, only a machine. */
export function trialActor(fingerprint: string): Actor {
  return {
    type: "client",
    id: null,
    label: `machine ${fingerprint.slice(0, 64)}`,
    role: "viewer",
    groupIds: [],
  };
}

const trialPolicySelect = {
  id: true,
  name: true,
  type: true,
  seatLimit: true,
  durationDays: true,
  heartbeatIntervalSeconds: true,
  gracePeriodHours: true,
  offlineAllowanceDays: true,
  checkInIntervalDays: true,
  expiryStrategy: true,
  machineMatching: true,
  trialCustomerId: true,
  entitlements: { select: { featureId: true, quota: true, quotaPeriod: true } },
} as const;

/** The product's live trial policy (at most one; the newest if there were more). */
async function liveTrialPolicy(db: Db | Tx, productId: string) {
  return db.policy.findFirst({
    where: { productId, kind: "trial", archivedAt: null },
    orderBy: { createdAt: "desc" },
    select: trialPolicySelect,
  });
}

/**
 * Serializes trial decisions for one product until the transaction ends, as lockLicense does for
 * seats: a row lock on PostgreSQL, a no-op write (the database's write lock) on SQLite.
 */
export async function lockProduct(tx: Tx, provider: DbProvider, productId: string): Promise<void> {
  if (provider === "postgresql") {
    await tx.$queryRaw`SELECT "id" FROM "Product" WHERE "id" = ${productId} FOR UPDATE`;
  } else {
    await tx.$executeRaw`UPDATE "Product" SET "id" = "id" WHERE "id" = ${productId}`;
  }
}

/**
 * The earlier trial of this product on this machine: the same fingerprint, or (when the rule is
 * not "fingerprint" and the machine sent components) a trial whose stored components match.
 */
export async function earlierTrial(
  db: Db | Tx,
  productId: string,
  client: Pick<ClientInfo, "fingerprint" | "components">,
  rule: MachineMatching,
): Promise<{ startedAt: Date } | null> {
  const same = await db.trial.findFirst({
    where: { productId, fingerprint: client.fingerprint },
    orderBy: { startedAt: "asc" },
    select: { startedAt: true },
  });
  if (same) return same;
  if (rule === "fingerprint" || Object.keys(client.components).length === 0) return null;
  const withComponents = await db.trial.findMany({
    where: { productId, NOT: { components: "{}" } },
    orderBy: { startedAt: "asc" },
    select: { startedAt: true, components: true },
  });
  return (
    withComponents.find((row) => componentsMatch(parseComponents(row.components), client.components, rule)) ??
    null
  );
}

function refusal(status: LicenseStatusCode, message: string, now: Date): StartTrialAnswer {
  return {
    status,
    message,
    serverTime: now,
    licenseKey: null,
    license: null,
    entitlements: [],
    grace: null,
    standing: null,
  };
}

const alreadyUsed = (productCode: string, startedAt: Date, now: Date) =>
  refusal(
    "TRIAL_ALREADY_USED",
    `this machine has had the trial of ${productCode} on ${startedAt.toISOString().slice(0, 10)}`,
    now,
  );

export async function startTrial(ctx: LicensingContext, input: TStartTrialInput): Promise<StartTrialAnswer> {
  const { client, email } = parseInput(ZStartTrialInput, input);
  const now = ctx.clock.now();
  const product = await ctx.db.product.findUnique({
    where: { code: client.productCode },
    select: { id: true, code: true, archivedAt: true },
  });
  if (!product) return refusal("TRIAL_NOT_AVAILABLE", `there is no product ${client.productCode}`, now);
  if (product.archivedAt) {
    return refusal("TRIAL_NOT_AVAILABLE", `product ${product.code} is no longer offered`, now);
  }
  const policy = await liveTrialPolicy(ctx.db, product.id);
  if (!policy?.trialCustomerId) {
    return refusal("TRIAL_NOT_AVAILABLE", `product ${product.code} offers no trial`, now);
  }
  const rule = policy.machineMatching as MachineMatching;
  // the common refusal without a transaction; the decision itself is taken under the lock
  const seen = await earlierTrial(ctx.db, product.id, client, rule);
  if (seen) return alreadyUsed(product.code, seen.startedAt, now);

  const days = policy.durationDays ?? DEFAULT_TRIAL_DAYS;
  const expiresAt = new Date(now.getTime() + days * DAY_MS);
  const customerId = policy.trialCustomerId;
  // the trial's own terms differ from the policy's where a trial must be one machine, ending
  const overrides = [
    ...(policy.type === "node_locked" ? [] : ["type"]),
    ...(policy.seatLimit === 1 ? [] : ["seatLimit"]),
    ...(policy.durationDays === null ? ["duration"] : []),
    ...(policy.expiryStrategy === "restrict" ? [] : ["expiryStrategy"]),
  ];
  const components = JSON.stringify(client.components);

  const issue = (key: string) =>
    mutate(asDomainContext(ctx, trialActor(client.fingerprint)), async ({ tx, audit, emit }) => {
      await lockProduct(tx, ctx.provider, product.id);
      const earlier = await earlierTrial(tx, product.id, client, rule);
      if (earlier) return { earlier };
      const license = await tx.license.create({
        data: {
          key,
          customerId,
          productId: product.id,
          status: "active",
          type: "node_locked",
          seatLimit: 1,
          startsAt: now,
          expiresAt,
          heartbeatIntervalSeconds: policy.heartbeatIntervalSeconds,
          gracePeriodHours: policy.gracePeriodHours,
          offlineAllowanceDays: policy.offlineAllowanceDays,
          policyId: policy.id,
          overrides: JSON.stringify(overrides),
          durationDays: days,
          durationFrom: "issue",
          activatedAt: now,
          checkInIntervalDays: policy.checkInIntervalDays,
          lastCheckInAt: now,
          // whatever a policy from before the rule says: a trial that keeps working is no trial
          expiryStrategy: "restrict",
          overage: "none",
          machineMatching: policy.machineMatching,
          trial: true,
          metadata: JSON.stringify(email ? { trialEmail: email } : {}),
          entitlements: { create: policy.entitlements },
          machines: {
            create: {
              fingerprint: client.fingerprint,
              hostname: client.hostname,
              components,
              boundAt: now,
              lastSeenAt: now,
            },
          },
        },
        select: { id: true },
      });
      const trial = await tx.trial.create({
        data: {
          productId: product.id,
          policyId: policy.id,
          licenseId: license.id,
          fingerprint: client.fingerprint,
          components,
          hostname: client.hostname,
          ip: ctx.ip ?? null,
          startedAt: now,
          expiresAt,
        },
        select: { id: true },
      });
      audit({
        action: "trial.start",
        targetType: "license",
        targetId: license.id,
        summary: {
          trialId: trial.id,
          product: product.code,
          policy: policy.name,
          fingerprint: client.fingerprint,
          hostname: client.hostname,
          components: Object.keys(client.components).sort(),
          expiresAt,
          ...(email ? { email } : {}),
        },
      });
      // license.created, machine.bound (the trial's one machine, bound at issue: not an activation
      // taking a last seat, so no license.seat_limit_reached), trial.started
      const payload = await licenseEventData(tx, license.id, now);
      emit({ type: "license.created", licenseId: license.id, data: { license: payload } });
      const machine = await tx.machineBinding.findFirstOrThrow({
        where: { licenseId: license.id },
        select: { id: true, fingerprint: true, hostname: true, boundAt: true },
      });
      emit({
        type: "machine.bound",
        licenseId: license.id,
        data: { license: payload, machine: machineEventData(machine) },
      });
      emit({
        type: "trial.started",
        licenseId: license.id,
        data: { trial: await trialEventData(tx, trial.id), license: payload },
      });
      return { key };
    });

  let outcome: { earlier: { startedAt: Date } } | { key: string };
  for (let attempt = 1; ; attempt++) {
    try {
      outcome = await issue(generateLicenseKey());
      break;
    } catch (error) {
      // 125 random bits: a key collision is practically impossible; the unique index decides anyway
      const keyTaken =
        error instanceof DomainError &&
        error.code === "CONFLICT" &&
        error.fields.some((f) => f.path.includes("key"));
      if (!keyTaken || attempt >= KEY_ATTEMPTS) throw error;
    }
  }
  if ("earlier" in outcome) return alreadyUsed(product.code, outcome.earlier.startedAt, now);

  const license = await ctx.reads.licenseByKey(outcome.key, now);
  if (!license) throw new DomainError("INTERNAL", "the trial license just issued cannot be read");
  const interval = license.checkInIntervalDays;
  return {
    status: "VALID",
    message: `the trial of ${product.code} has started; it ends on ${expiresAt.toISOString()}`,
    serverTime: now,
    licenseKey: outcome.key,
    license: licenseView(license),
    entitlements: await entitlementViews(ctx.reads, license, now),
    grace: await graceFor(ctx, license, outcome.key, client.fingerprint, now),
    standing: {
      ...NO_STANDING,
      nextCheckInAt: interval && interval > 0 ? new Date(now.getTime() + interval * DAY_MS) : null,
    },
  };
}
