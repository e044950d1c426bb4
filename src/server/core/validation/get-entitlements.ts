import type { z } from "zod";
import { parseInput } from "../shared/parse-input.ts";
import type { LicensingContext } from "./licensing-context.ts";
import {
  disclosable,
  entitlementViews,
  findClientLicense,
  licenseVerdict,
  withMachine,
} from "./client-license.ts";
import { firstActivation } from "./first-activation.ts";
import { checkMachine, type ValidateAnswer } from "./validate-license.ts";
import { ZClientRequest } from "./schemas.ts";

export const ZGetEntitlementsInput = ZClientRequest;
export type TGetEntitlementsInput = z.input<typeof ZGetEntitlementsInput>;

export type EntitlementsAnswer = Pick<ValidateAnswer, "status" | "message" | "serverTime" | "entitlements">;

/**
 * The features a valid license grants, with what has been used of metered ones this period. A
 * VALID answer is a use of the license: the first one activates it (./first-activation.ts).
 */
export async function getEntitlements(
  ctx: LicensingContext,
  input: TGetEntitlementsInput,
): Promise<EntitlementsAnswer> {
  const { licenseKey, client } = parseInput(ZGetEntitlementsInput, input);
  const now = ctx.clock.now();
  let license = await findClientLicense(ctx.reads, licenseKey, now);
  let verdict = await licenseVerdict(ctx, license, client, now);
  if (license && disclosable(verdict) && verdict.status === "VALID" && license.type === "node_locked") {
    verdict = withMachine(verdict, await checkMachine(ctx, license, client, now));
  }
  if (!license || verdict.status !== "VALID") return { ...verdict, serverTime: now, entitlements: [] };
  license = await firstActivation(ctx, license, client.fingerprint, now);
  const entitlements = await entitlementViews(ctx.reads, license, now);
  return { ...verdict, serverTime: now, entitlements };
}
