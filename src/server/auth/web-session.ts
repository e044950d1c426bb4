// Web sign-in through next-auth: one credentials provider (email or directory user name, password,
// and the TOTP or recovery code when the account has 2FA) that calls the same login() as the API.
// The session is next-auth's encrypted JWT in an httpOnly cookie; the admin behind it is re-read
// from the database on every request, so disabling an admin or changing a password ends it.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { decode } from "next-auth/jwt";
import { DomainError } from "../core/errors.ts";
import type { Actor } from "../core/context.ts";
import { requestClientAddress } from "../client-address.ts";
import type { ApiServices } from "../trpc/context.ts";
import { adminActor } from "./admin-actor.ts";
import { login } from "./login.ts";

export const WEB_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/** The web sessions' key: derived from JWT_SECRET, distinct from the API tokens' key. */
export const webSessionSecret = (jwtSecret: string) => `${jwtSecret}:web-session`;

export function buildAuthOptions(services: ApiServices): NextAuthOptions {
  return {
    secret: webSessionSecret(services.jwtSecret),
    session: { strategy: "jwt", maxAge: WEB_SESSION_MAX_AGE_SECONDS },
    // the admin UI's own sign-in page (src/app/sign-in) instead of next-auth's default one
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "License Server",
        credentials: {
          email: { label: "Email or directory user name", type: "text" },
          password: { label: "Password", type: "password" },
          totp: { label: "Authenticator or recovery code (if 2FA is on)", type: "text" },
        },
        async authorize(credentials, req) {
          // next-auth hands over the request's headers as a plain object
          const ip = requestClientAddress(
            (req.headers ?? {}) as Record<string, string | undefined>,
            services.trustProxy ?? false,
          );
          try {
            const { db, provider, clock, logger, jwtSecret, encryptionKey, limiter, directory } = services;
            const result = await login(
              { db, provider, now: clock.now(), logger, jwtSecret, encryptionKey, limiter, directory },
              {
                email: credentials?.email ?? "",
                password: credentials?.password ?? "",
                totp: credentials?.totp || undefined,
              },
              ip,
            );
            return { id: result.admin.id, email: result.admin.email, name: result.admin.name };
          } catch (error) {
            // next-auth passes the message to the sign-in page as ?error=...
            if (error instanceof DomainError) {
              throw new Error(
                error.fields.some((f) => f.path === "totp" && f.message === "required")
                  ? "TOTP_REQUIRED"
                  : error.message,
                { cause: error },
              );
            }
            throw new Error("sign-in failed", { cause: error });
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // `user` is only there right after sign-in (next-auth's types say otherwise)
        const signedIn = user as typeof user | undefined;
        if (signedIn) token.sub = signedIn.id;
        return token;
      },
      session({ session, token }) {
        return { ...session, adminId: token.sub };
      },
    },
  };
}

function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/**
 * The actor of the web session cookie, or null when there is none. Cookies ride along on
 * cross-site requests, so a state-changing request from another origin is not authenticated.
 */
export async function webSessionActor(
  services: ApiServices,
  headers: Headers,
  method: string,
): Promise<Actor | null> {
  const cookies = headers.get("cookie") ?? "";
  const token = COOKIE_NAMES.map((name) => cookieValue(cookies, name)).find(Boolean);
  if (!token) return null;
  if (!["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase())) {
    const site = headers.get("sec-fetch-site");
    const origin = headers.get("origin");
    const host = headers.get("x-forwarded-host") ?? headers.get("host");
    if (site === "cross-site" || (origin && host && new URL(origin).host !== host)) return null;
  }
  const claims = await decode({ token, secret: webSessionSecret(services.jwtSecret) }).catch(() => null);
  if (!claims?.sub || typeof claims.iat !== "number")
    throw new DomainError("UNAUTHENTICATED", "the web session is invalid or expired");
  if (typeof claims.exp === "number" && claims.exp * 1000 <= services.clock.now().getTime()) {
    throw new DomainError("UNAUTHENTICATED", "the web session expired; sign in again");
  }
  return adminActor(services.db, claims.sub, new Date(claims.iat * 1000));
}
