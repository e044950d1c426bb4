// Web sign-in through next-auth: one credentials provider (email or directory user name, password,
// and the TOTP or recovery code when the account has 2FA) that calls the same login() as the API.
// The cookie is next-auth's encrypted JWT (httpOnly) carrying the id of a server-side WebSession
// row (`sid`, src/server/core/web-sessions/store.ts). Every API request and every refresh of the
// cookie (GET /api/auth/session) checks that row, so sign-out, a password change, disabling the
// admin, a role change and "sign out everywhere" end the session at once; the admin behind it
// is re-read from the database on every request too. The row's expiresAt is the absolute end:
// a refreshed cookie never expires after it.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { decode, encode, type JWT } from "next-auth/jwt";
import { DomainError } from "../core/errors.ts";
import type { Actor } from "../core/context.ts";
import {
  activeWebSession,
  createWebSession,
  revokeWebSession,
  WEB_SESSION_MAX_AGE_SECONDS,
} from "../core/web-sessions/store.ts";
import { requestClientAddress } from "../client-address.ts";
import type { ApiServices } from "../trpc/context.ts";
import { adminActor } from "./admin-actor.ts";
import { login } from "./login.ts";
import { safeRedirectUrl } from "./safe-redirect.ts";

export { WEB_SESSION_MAX_AGE_SECONDS };
const SECURE_COOKIE = "__Secure-next-auth.session-token";
const PLAIN_COOKIE = "next-auth.session-token";

/** The web sessions' key: derived from JWT_SECRET, distinct from the API tokens' key. */
export const webSessionSecret = (jwtSecret: string) => `${jwtSecret}:web-session`;

/** What the jwt callback throws for a session that has ended: next-auth then clears the cookie. */
export class WebSessionEnded extends Error {
  override name = "WebSessionEnded";
}

/** The session cookie's claims of ours (next-auth adds iat, exp, jti, name, email). */
interface WebSessionClaims {
  sub: string;
  /** the WebSession row's id */
  sid: string;
  /** the row's expiresAt, in seconds since the epoch */
  sexp: number;
  /** the sign-in passed a TOTP or recovery code */
  mfa: boolean;
}

function sessionClaims(token: JWT | null | undefined): WebSessionClaims | null {
  if (!token) return null;
  const { sub, sid, sexp, mfa } = token as Partial<Record<string, unknown>>;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof sexp !== "number") return null;
  return { sub, sid, sexp, mfa: mfa === true };
}

/** The user object authorize() hands to the jwt callback (right after sign-in only). */
interface SignedInUser {
  id: string;
  email: string;
  name: string;
  ip: string;
  userAgent: string;
  /** when the sign-in began (ms): the session's start, so a password change during it ends it */
  signedInAt: number;
  /** the sign-in passed a TOTP or recovery code */
  secondFactor: boolean;
}

export function buildAuthOptions(
  services: ApiServices,
  { maxAgeSeconds = WEB_SESSION_MAX_AGE_SECONDS }: { maxAgeSeconds?: number } = {},
): NextAuthOptions {
  const { db, clock, logger } = services;
  return {
    secret: webSessionSecret(services.jwtSecret),
    session: { strategy: "jwt", maxAge: maxAgeSeconds },
    jwt: {
      maxAge: maxAgeSeconds,
      // next-auth gives every (re-)encoded cookie the full maxAge from now; ours never outlives
      // the session row's absolute expiresAt
      encode: (params) => {
        const claims = sessionClaims(params.token);
        const left = claims ? Math.floor((claims.sexp * 1000 - clock.now().getTime()) / 1000) : 0;
        return encode({ ...params, maxAge: Math.max(1, Math.min(params.maxAge ?? maxAgeSeconds, left)) });
      },
    },
    // the admin UI's own sign-in page (src/app/sign-in) instead of next-auth's default one
    pages: { signIn: "/sign-in", error: "/sign-in" },
    logger: {
      error(code, metadata) {
        // an ended session is the expected outcome of a refresh after sign-out, not an error
        if (metadata instanceof WebSessionEnded) {
          logger.debug({ code, reason: metadata.message }, "web session refused");
          return;
        }
        logger.error({ code, err: metadata }, "next-auth error");
      },
      warn(code) {
        logger.warn({ code }, "next-auth warning");
      },
      debug() {},
    },
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
          const headers = (req.headers ?? {}) as Record<string, string | undefined>;
          const ip = requestClientAddress(headers, services.trustProxy ?? false);
          const now = clock.now();
          try {
            const { provider, jwtSecret, encryptionKey, limiter, directory } = services;
            const result = await login(
              { db, provider, now, logger, jwtSecret, encryptionKey, limiter, directory },
              {
                email: credentials?.email ?? "",
                password: credentials?.password ?? "",
                totp: credentials?.totp || undefined,
              },
              ip,
            );
            const user: SignedInUser = {
              id: result.admin.id,
              email: result.admin.email,
              name: result.admin.name,
              ip,
              userAgent: headers["user-agent"] ?? "",
              signedInAt: now.getTime(),
              secondFactor: result.secondFactor,
            };
            return user;
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
      async jwt({ token, user }) {
        // `user` is only there right after sign-in (next-auth's types say otherwise)
        const signedIn = user as SignedInUser | undefined;
        if (signedIn) {
          // started when the password was checked, not now: a password change or reset in
          // between (its revocation cannot see this row yet) makes adminActor refuse it
          const session = await createWebSession(
            db,
            {
              adminId: signedIn.id,
              now: new Date(signedIn.signedInAt),
              ip: signedIn.ip,
              userAgent: signedIn.userAgent,
            },
            maxAgeSeconds,
          );
          await adminActor(db, signedIn.id, session.createdAt, { precision: "millisecond" });
          return {
            name: signedIn.name,
            email: signedIn.email,
            sub: signedIn.id,
            sid: session.id,
            sexp: Math.floor(session.expiresAt.getTime() / 1000),
            ...(signedIn.secondFactor ? { mfa: true } : {}),
          };
        }
        // a refresh (GET /api/auth/session): only a session that is still on gets a new cookie;
        // the throw makes next-auth answer {} and clear the cookie
        const claims = sessionClaims(token);
        if (!claims) throw new WebSessionEnded("the cookie names no web session");
        const session = await activeWebSession(db, claims.sid, claims.sub, clock.now());
        if (!session) throw new WebSessionEnded("the web session has ended");
        await adminActor(db, claims.sub, session.createdAt, { precision: "millisecond" }).catch(
          (error: unknown) => {
            throw new WebSessionEnded(error instanceof Error ? error.message : "the admin cannot sign in");
          },
        );
        return token;
      },
      session({ session, token }) {
        const claims = sessionClaims(token);
        return {
          ...session,
          adminId: token.sub,
          // the absolute end, not next-auth's "maxAge from now"
          ...(claims ? { expires: new Date(claims.sexp * 1000).toISOString() } : {}),
        };
      },
      // after sign-in and sign-out: only this origin's paths, whatever the callbackUrl says
      redirect({ url, baseUrl }) {
        return safeRedirectUrl(url, baseUrl);
      },
    },
    events: {
      // POST /api/auth/signout with the cookie: the row ends, so a copy of the cookie is dead too
      async signOut({ token }) {
        const claims = sessionClaims(token);
        if (!claims) return;
        await revokeWebSession(db, { id: claims.sid, adminId: claims.sub }, "sign_out", clock.now());
      },
    },
  };
}

function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      // a malformed escape: no usable cookie (refused below as invalid, without the parser's words)
      return "malformed";
    }
  }
  return undefined;
}

/**
 * The session cookie's name, chosen as next-auth chooses it (the Secure-prefixed one when the
 * public URL is https), so the API and next-auth never read two different cookies.
 */
function sessionCookieName(env: NodeJS.ProcessEnv = process.env): string {
  return /^https:\/\//i.test(env.NEXTAUTH_URL ?? "") ? SECURE_COOKIE : PLAIN_COOKIE;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
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
  const token = cookieValue(cookies, sessionCookieName());
  if (!token) return null;
  if (!["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase())) {
    const site = headers.get("sec-fetch-site");
    const origin = headers.get("origin");
    const host = headers.get("x-forwarded-host") ?? headers.get("host");
    if (site === "cross-site" || (origin && host && hostOf(origin) !== host)) return null;
  }
  const decoded = await decode({ token, secret: webSessionSecret(services.jwtSecret) }).catch(() => null);
  const claims = sessionClaims(decoded);
  if (!claims) throw new DomainError("UNAUTHENTICATED", "the web session is invalid or expired");
  // decode() refused an expired cookie already; the row's expiresAt (on our clock) is the real end
  const session = await activeWebSession(services.db, claims.sid, claims.sub, services.clock.now());
  if (!session) throw new DomainError("UNAUTHENTICATED", "the web session has ended; sign in again");
  // the sign-in time, not the cookie's iat (a refresh re-issues that)
  return adminActor(services.db, claims.sub, session.createdAt, {
    precision: "millisecond",
    secondFactor: claims.mfa,
  });
}
