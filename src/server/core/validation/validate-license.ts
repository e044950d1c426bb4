import type { z } from "zod";
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { asDomainContext, clientActor, type LicensingContext } from "./licensing-context.ts";
import {
  disclosable,
  entitlementViews,
  findClientLicense,
  graceFor,
  licenseVerdict,
  licenseView,
  lockLicense,
  withMachine,
  type ClientLicense,
  type EntitlementView,
  type GraceGrant,
  type LicenseView,
  type Standing,
} from "./client-license.ts";
import { checkIn } from "./check-in.ts";
import { firstActivation } from "./first-activation.ts";
import { bindMachine, touchMachine, type MachineVerdict } from "../machines/machine-binding.ts";
import { ZClientRequest, type ClientInfo } from "./schemas.ts";

export const ZValidateLicenseInput = ZClientRequest;
export type TValidateLicenseInput = z.input<typeof ZValidateLicenseInput>;

export interface ValidateAnswer {
  status: LicenseStatusCode;
  message: string;
  serverTime: Date;
  /** absent for NOT_FOUND and PRODUCT_MISMATCH */
  license: LicenseView | null;
  entitlements: EntitlementView[];
  /** VALID node-locked answers only (a floating license's tokens come with a session's seat) */
  grace: GraceGrant | null;
  /** VALID answers only */
  standing: Standing | null;
}

/**
 * Whether this key may run this product on this machine now. Node-locked licenses bind the
 * machine on first use while they have room; their VALID answers carry a fresh grace token (the
 * binding backs it). A floating license's Validate takes no seat, so it grants no offline
 * running: its grace tokens come with Activate and Heartbeat, each covered by a seat hold.
 */
export async function validateLicense(
  ctx: LicensingContext,
  input: TValidateLicenseInput,
): Promise<ValidateAnswer> {
  const { licenseKey, client } = parseInput(ZValidateLicenseInput, input);
  const now = ctx.clock.now();
  let license = await findClientLicense(ctx.reads, licenseKey, now);
  let verdict = await licenseVerdict(ctx, license, client, now);
  if (!license || !disclosable(verdict)) {
    return { ...verdict, serverTime: now, license: null, entitlements: [], grace: null, standing: null };
  }
  let machineUpdated = false;
  if (verdict.status === "VALID" && license.type === "node_locked") {
    const machine = await checkMachine(ctx, license, client, now);
    verdict = withMachine(verdict, machine);
    machineUpdated = machine.machineUpdated === true;
  }
  const valid = verdict.status === "VALID";
  if (valid) license = await firstActivation(ctx, license, client.fingerprint, now);
  return {
    ...verdict,
    serverTime: now,
    license: licenseView(license),
    entitlements: valid ? await entitlementViews(ctx.reads, license, now) : [],
    grace:
      valid && license.type === "node_locked"
        ? await graceFor(ctx, license, licenseKey, client.fingerprint, now, undefined, verdict.coveredVersion)
        : null,
    standing: valid
      ? { ...(await checkIn(ctx, license, now)), machineUpdated, expired: verdict.expired === true }
      : null,
  };
}

/**
 * A node-locked license's machine check: a read when bound, a locked bind (or a binding
 * recognised by its components and updated in place) when not.
 */
export async function checkMachine(
  ctx: LicensingContext,
  license: ClientLicense,
  client: ClientInfo,
  now: Date,
): Promise<MachineVerdict> {
  const bound = await ctx.reads.machine(license.id, client.fingerprint);
  if (bound) {
    await touchMachine(ctx.db, bound, now, client.components);
    return { status: "VALID", message: "the license is valid" };
  }
  return mutate(
    asDomainContext(ctx, clientActor(license.id, client.fingerprint)),
    async ({ tx, audit, emit }) => {
      await lockLicense(tx, ctx.provider, license.id);
      return bindMachine(tx, license, client, now, { audit, emit });
    },
  );
}
