import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { forbidden } from "../errors.ts";
import { changes, mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import type { Tx } from "../../db/client.ts";
import { readSettings, writeSettings, type Settings } from "./settings.ts";

/**
 * A patch: only the fields given change. Written out without ZSettings' defaults (zod's
 * .partial() keeps them, so `{}` would have parsed as `{ requireTwoFactor: false }` and
 * turned the requirement off).
 */
export const ZUpdateSettingsInput = z.object({ requireTwoFactor: z.boolean().optional() }).strict();
export type TUpdateSettingsInput = Partial<Settings>;

/** Why an API key may not lift the 2FA requirement: the key is what the requirement guards. */
export const TWO_FACTOR_OFF_NEEDS_SIGNED_IN_ADMIN =
  "turning off required two-factor authentication needs a signed-in admin who uses two-factor authentication (the web app, or a token from POST /auth/login), not an API key";
export const TWO_FACTOR_OFF_NEEDS_CODE_AT_SIGN_IN =
  "turning off required two-factor authentication needs a sign-in with your authenticator or recovery code: sign out and sign in again with it";
export const TWO_FACTOR_OFF_NEEDS_OWN_TWO_FACTOR =
  "turning off required two-factor authentication needs an admin who uses two-factor authentication: enroll it in your profile and sign in with it first";

/**
 * A super admin changes the settings. Turning "require 2FA" off is held to more: a signed-in
 * admin (web session or sign-in token, each got with password and code) whose own account has
 * TOTP on; never an API key, whatever its role. The system (the admin CLI on the host) may.
 */
export async function updateSettings(ctx: DomainContext, input: TUpdateSettingsInput): Promise<Settings> {
  requirePermission(ctx.actor, "settings.write");
  const patch = parseInput(ZUpdateSettingsInput, input);
  return mutate(ctx, async ({ tx, audit }) => {
    const before = await readSettings(tx);
    if (before.requireTwoFactor && patch.requireTwoFactor === false) await requireTwoFactorAdmin(ctx, tx);
    const after: Settings = {
      ...before,
      ...(patch.requireTwoFactor !== undefined ? { requireTwoFactor: patch.requireTwoFactor } : {}),
    };
    await writeSettings(tx, after);
    audit({
      action: "settings.update",
      targetType: "settings",
      targetId: null,
      summary: changes(before, after),
    });
    return after;
  });
}

async function requireTwoFactorAdmin(ctx: DomainContext, tx: Tx): Promise<void> {
  const { actor } = ctx;
  if (actor.type === "system") return;
  if (actor.type !== "admin" || actor.id === null) throw forbidden(TWO_FACTOR_OFF_NEEDS_SIGNED_IN_ADMIN);
  const admin = await tx.admin.findUnique({ where: { id: actor.id }, select: { totpEnabled: true } });
  if (!admin?.totpEnabled) throw forbidden(TWO_FACTOR_OFF_NEEDS_OWN_TWO_FACTOR);
  // the account's 2FA is not enough: this sign-in must have passed the code (found by attack: a
  // token got with the password alone, before enrolling, was accepted once the account enrolled)
  if (!actor.signedInWithTwoFactor) throw forbidden(TWO_FACTOR_OFF_NEEDS_CODE_AT_SIGN_IN);
}
