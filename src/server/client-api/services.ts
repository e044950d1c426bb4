// What the licensing API's transports (the gRPC sidecar, the REST twin) share in one process.
import type { LicensingConfig } from "../config.ts";
import { systemClock, type Clock } from "../core/context.ts";
import type { ClientContext } from "../core/licensing/client-context.ts";
import { cachedSigner, type Signer } from "../core/signing-keys/active-signer.ts";
import type { DbHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { ClientRateLimiter } from "./rate-limit.ts";

export interface ClientServices {
  handle: DbHandle;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
  heartbeatToleranceSeconds: number;
  signer: () => Promise<Signer>;
  limiter: ClientRateLimiter;
}

export function createClientServices(options: {
  database: DbHandle;
  encryptionKey: Buffer;
  licensing: LicensingConfig;
  logger: Logger;
  clock?: Clock;
}): ClientServices {
  const { database, licensing } = options;
  return {
    handle: database,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    encryptionKey: options.encryptionKey,
    heartbeatToleranceSeconds: licensing.heartbeatToleranceSeconds,
    signer: cachedSigner(database.db, options.encryptionKey),
    limiter: new ClientRateLimiter(licensing.rateLimitPerKey, licensing.rateLimitPerPeer),
  };
}

export function clientContext(services: ClientServices, ip: string | null): ClientContext {
  return {
    db: services.handle.db,
    provider: services.handle.provider,
    clock: services.clock,
    logger: services.logger,
    ip,
    encryptionKey: services.encryptionKey,
    signer: services.signer,
    heartbeatToleranceSeconds: services.heartbeatToleranceSeconds,
  };
}
