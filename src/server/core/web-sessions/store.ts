// Server-side web sessions (the WebSession table): the admin web app's cookie carries the row's
// id, and every API request and every refresh of the cookie (GET /api/auth/session) checks the
// row, so ending a session is one write here. The row's expiresAt is fixed at sign-in: nothing
// moves it, so no refresh outlives the absolute lifetime.
import { randomBytes } from "node:crypto";
import type { Db, Tx } from "../../db/client.ts";

/** The absolute lifetime of a web session, from sign-in. */
export const WEB_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** lastSeenAt is written at most this often per session (one write a minute, not one per request) */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** ended rows (expired or revoked) are kept this long for the profile page, then deleted */
export const ENDED_ROWS_KEPT_MS = 24 * 60 * 60 * 1000;

export type WebSessionEndReason =
  "sign_out" | "sign_out_everywhere" | "password_change" | "disabled" | "role_change" | "ended";

export interface ActiveWebSession {
  id: string;
  adminId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A new session for an admin who just signed in; also deletes rows that ended long enough ago. */
export async function createWebSession(
  db: Db,
  input: { adminId: string; now: Date; ip?: string | null; userAgent?: string | null },
  maxAgeSeconds = WEB_SESSION_MAX_AGE_SECONDS,
): Promise<ActiveWebSession> {
  const { adminId, now } = input;
  const old = new Date(now.getTime() - ENDED_ROWS_KEPT_MS);
  await db.webSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: old } }, { adminId, revokedAt: { lt: old } }] },
  });
  return db.webSession.create({
    data: {
      id: randomBytes(32).toString("base64url"),
      adminId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + maxAgeSeconds * 1000),
      lastSeenAt: now,
      ip: input.ip ?? null,
      // a header, so bounded: the profile page shows it, nothing parses it
      userAgent: (input.userAgent ?? "").slice(0, 512),
    },
    select: { id: true, adminId: true, createdAt: true, expiresAt: true },
  });
}

/**
 * The session if it is still on: it exists, belongs to `adminId`, is not revoked and has not
 * reached expiresAt; null otherwise. Notes the use in lastSeenAt at a coarse resolution.
 */
export async function activeWebSession(
  db: Db,
  sessionId: string,
  adminId: string,
  now: Date,
): Promise<ActiveWebSession | null> {
  const row = await db.webSession.findUnique({
    where: { id: sessionId },
    select: { id: true, adminId: true, createdAt: true, expiresAt: true, revokedAt: true, lastSeenAt: true },
  });
  if (!row || row.adminId !== adminId || row.revokedAt || row.expiresAt.getTime() <= now.getTime())
    return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) {
    // conditional, so parallel requests write once; a failure here must not fail the request
    await db.webSession
      .updateMany({
        where: { id: row.id, lastSeenAt: row.lastSeenAt, revokedAt: null },
        data: { lastSeenAt: now },
      })
      .catch(() => undefined);
  }
  return { id: row.id, adminId: row.adminId, createdAt: row.createdAt, expiresAt: row.expiresAt };
}

/** Ends one session (sign-out); true when it was still on. */
export async function revokeWebSession(
  db: Db | Tx,
  where: { id: string; adminId?: string },
  reason: WebSessionEndReason,
  now: Date,
): Promise<boolean> {
  const { count } = await db.webSession.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count > 0;
}

/** Ends every session of an admin that is still on (optionally but one); returns how many. */
export async function revokeAdminWebSessions(
  db: Db | Tx,
  adminId: string,
  reason: WebSessionEndReason,
  now: Date,
  options: { exceptId?: string } = {},
): Promise<number> {
  const { count } = await db.webSession.updateMany({
    where: {
      adminId,
      revokedAt: null,
      expiresAt: { gt: now },
      ...(options.exceptId ? { id: { not: options.exceptId } } : {}),
    },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count;
}
