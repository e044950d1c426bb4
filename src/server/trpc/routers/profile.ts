import { z } from "zod";
import { changeOwnPassword } from "../../core/admins/change-own-password.ts";
import { ZChangeOwnPasswordInput } from "../../core/admins/schemas.ts";
import { getProfile } from "../../core/admins/get-profile.ts";
import { ZAdminDto } from "../../core/admins/select.ts";
import { getSettings } from "../../core/settings/get-settings.ts";
import { ZSettings } from "../../core/settings/settings.ts";
import { updateSettings, ZUpdateSettingsInput } from "../../core/settings/update-settings.ts";
import { confirmTotp } from "../../core/two-factor/confirm-totp.ts";
import { ZConfirmTotpInput, ZDisableTotpInput } from "../../core/two-factor/schemas.ts";
import { disableTotp } from "../../core/two-factor/disable-totp.ts";
import { enrollTotp } from "../../core/two-factor/enroll-totp.ts";
import { regenerateRecoveryCodes } from "../../core/two-factor/regenerate-recovery-codes.ts";
import { endOwnWebSession, ZEndOwnWebSessionInput } from "../../core/web-sessions/end-own-web-session.ts";
import {
  listOwnWebSessions,
  ZListOwnWebSessionsInput,
  ZWebSessionDto,
} from "../../core/web-sessions/list-own-web-sessions.ts";
import { signOutEverywhere, ZSignOutEverywhereInput } from "../../core/web-sessions/sign-out-everywhere.ts";
import { login, ZLoginInput } from "../../auth/login.ts";
import { actorProcedure, adminProcedure, publicProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

const ZNoInput = z.object({});

export const profileRouter = router({
  get: actorProcedure
    .meta(rest("GET", "/profile", "Profile", "Your own account"))
    .input(ZNoInput)
    .output(ZAdminDto)
    .query(({ ctx }) => getProfile(ctx.domain)),
  changePassword: actorProcedure
    .meta(rest("POST", "/profile/password", "Profile", "Change your password"))
    .input(ZChangeOwnPasswordInput)
    .output(z.object({ changedAt: z.date() }))
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.domain, input)),
  enrollTotp: actorProcedure
    .meta(
      rest("POST", "/profile/totp/enroll", "Profile", "Start TOTP enrollment (secret, otpauth URI, QR code)"),
    )
    .input(ZNoInput)
    .output(z.object({ secret: z.string(), otpauthUri: z.string(), qrCode: z.string() }))
    .mutation(({ ctx }) => enrollTotp(ctx.domain)),
  confirmTotp: actorProcedure
    .meta(rest("POST", "/profile/totp/confirm", "Profile", "Turn TOTP on; returns one-time recovery codes"))
    .input(ZConfirmTotpInput)
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(({ ctx, input }) => confirmTotp(ctx.domain, input)),
  regenerateRecoveryCodes: actorProcedure
    .meta(
      rest(
        "POST",
        "/profile/totp/recovery-codes",
        "Profile",
        "Replace the recovery codes (needs a current code)",
      ),
    )
    .input(ZConfirmTotpInput)
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.domain, input)),
  disableTotp: actorProcedure
    .meta(rest("POST", "/profile/totp/disable", "Profile", "Turn TOTP off (password and code)"))
    .input(ZDisableTotpInput)
    .output(z.object({ disabled: z.literal(true) }))
    .mutation(({ ctx, input }) => disableTotp(ctx.domain, input)),
  webSessions: actorProcedure
    .meta(rest("GET", "/profile/web-sessions", "Profile", "Your signed-in browsers (web sessions still on)"))
    .input(ZListOwnWebSessionsInput)
    .output(z.object({ items: z.array(ZWebSessionDto) }))
    .query(({ ctx, input }) => listOwnWebSessions(ctx.domain, input)),
  endWebSession: actorProcedure
    .meta(rest("POST", "/profile/web-sessions/{id}/end", "Profile", "End one of your web sessions"))
    .input(ZEndOwnWebSessionInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => endOwnWebSession(ctx.domain, input)),
  signOutEverywhere: actorProcedure
    .meta(
      rest(
        "POST",
        "/profile/sign-out-everywhere",
        "Profile",
        "End all your web sessions, this browser's included",
      ),
    )
    .input(ZSignOutEverywhereInput)
    .output(z.object({ ended: z.number().int() }))
    .mutation(({ ctx, input }) => signOutEverywhere(ctx.domain, input)),
});

export const settingsRouter = router({
  get: actorProcedure
    .meta(rest("GET", "/settings", "Settings", "Server settings"))
    .input(ZNoInput)
    .output(ZSettings)
    .query(({ ctx }) => getSettings(ctx.domain)),
  update: adminProcedure("settings.write")
    .meta(rest("PATCH", "/settings", "Settings", "Change server settings"))
    .input(ZUpdateSettingsInput)
    .output(ZSettings)
    .mutation(({ ctx, input }) => updateSettings(ctx.domain, input)),
});

export const authRouter = router({
  login: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/login",
        tags: ["Auth"],
        summary: "Sign in with email, password and TOTP code; returns a short-lived bearer token",
      },
    })
    .input(ZLoginInput)
    .output(
      z.object({
        token: z.string(),
        expiresAt: z.date(),
        admin: ZAdminDto,
        mustEnrollTwoFactor: z.boolean(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { db, provider, clock, logger, jwtSecret, encryptionKey, limiter, directory } = ctx.services;
      return login(
        { db, provider, now: clock.now(), logger, jwtSecret, encryptionKey, limiter, directory },
        input,
        ctx.ip,
      );
    }),
});
