import type { Db } from "../db/client.ts";
import type { DbProvider } from "../db/provider.ts";
import type { Logger } from "../logger.ts";

export const ROLES = ["viewer", "editor", "admin", "super_admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is acting. Admins and API keys act with a role inside their groups (super_admin: all
 * groups); `system` is the server itself (first-run seeding, reapers); `client` is shipped
 * software calling the licensing API with a license key (it holds no admin permission).
 */
export interface Actor {
  type: "admin" | "api_key" | "system" | "client";
  id: string | null;
  /** shown in the audit log: an email, an API key's name and prefix, "system" */
  label: string;
  role: Role;
  groupIds: readonly string[];
  /** 2FA is required on this server and this admin has none yet: only enrollment is allowed */
  mustEnrollTwoFactor?: boolean;
  /** an admin whose sign-in (web session or token) passed a TOTP or recovery code */
  signedInWithTwoFactor?: boolean;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface DomainContext {
  db: Db;
  provider: DbProvider;
  clock: Clock;
  logger: Logger;
  actor: Actor;
  /** the client's address, for the audit log */
  ip?: string | null;
  /** AES-256-GCM key for secrets at rest (TOTP secrets, signing keys) */
  encryptionKey: Buffer;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: webhook endpoints may point at private addresses (default false) */
  allowPrivateWebhookTargets?: boolean;
}

export const systemActor: Actor = {
  type: "system",
  id: null,
  label: "system",
  role: "super_admin",
  groupIds: [],
};
