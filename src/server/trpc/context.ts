// The request context of the admin API, built without Next so tests and other servers can make
// one: the caller (from `Authorization: Bearer <jwt | lsk_...>`) and the services.
import { authenticateAccessToken } from "../auth/admin-actor.ts";
import { authenticateApiKey } from "../auth/authenticate-api-key.ts";
import type { LoginDeps } from "../auth/login.ts";
import { webSessionActor } from "../auth/web-session.ts";
import type { LoginLimiter } from "../auth/rate-limit.ts";
import { requestClientAddress, type TrustProxy } from "../client-address.ts";
import type { Actor, Clock, DomainContext } from "../core/context.ts";
import type { Db } from "../db/client.ts";
import type { DbProvider } from "../db/provider.ts";
import type { Logger } from "../logger.ts";

/** Long-lived things every request shares. */
export interface ApiServices {
  db: Db;
  provider: DbProvider;
  clock: Clock;
  logger: Logger;
  jwtSecret: string;
  encryptionKey: Buffer;
  limiter: LoginLimiter;
  directory: LoginDeps["directory"];
  /** TRUST_PROXY: whose X-Forwarded-For gives the client address; default false (the socket's) */
  trustProxy?: TrustProxy;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: webhook endpoints may point at private addresses; default false */
  allowPrivateWebhookTargets?: boolean;
}

export interface ApiContext {
  services: ApiServices;
  /** null: not signed in (only public procedures work) */
  actor: Actor | null;
  ip: string;
  /** the reason the credentials were refused, reported by protected procedures */
  authError: Error | null;
}

export async function createApiContext(
  services: ApiServices,
  headers: Headers,
  ip: string,
  method = "GET",
): Promise<ApiContext> {
  const authorization = headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) {
    // no bearer: the admin web app's session cookie, if any
    try {
      return { services, actor: await webSessionActor(services, headers, method), ip, authError: null };
    } catch (error) {
      return { services, actor: null, ip, authError: error as Error };
    }
  }
  const token = match[1];
  try {
    const now = services.clock.now();
    const actor = token.startsWith("lsk_")
      ? await authenticateApiKey(services.db, token, now)
      : await authenticateAccessToken(services.db, services.jwtSecret, token, now);
    return { services, actor, ip, authError: null };
  } catch (error) {
    return { services, actor: null, ip, authError: error as Error };
  }
}

export function domainContext(ctx: ApiContext, actor: Actor): DomainContext {
  const { db, provider, clock, logger, encryptionKey, allowPrivateWebhookTargets } = ctx.services;
  return { db, provider, clock, logger, actor, ip: ctx.ip, encryptionKey, allowPrivateWebhookTargets };
}

/** The caller's real address (the socket's, or a trusted proxy's word: ../client-address.ts). */
export function clientIp(services: Pick<ApiServices, "trustProxy">, headers: Headers): string {
  return requestClientAddress(headers, services.trustProxy ?? false);
}
