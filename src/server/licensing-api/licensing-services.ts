// What the licensing API's transports (the gRPC sidecar, the REST twin) share in one process.
import type { LicensingConfig } from "../config.ts";
import { systemClock, type Clock } from "../core/context.ts";
import type { LicensingContext } from "../core/validation/licensing-context.ts";
import { cachedSigner, type Signer } from "../core/signing-keys/active-signer.ts";
import type { DbHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { HeartbeatBuffer } from "../core/sessions/heartbeat-buffer.ts";
import { ActivityCounter } from "../core/stats/activity.ts";
import type { ClientOperation } from "./operations.ts";
import { LicensingRateLimiter, type RateState } from "./rate-limit.ts";
import { countRateLimited, observeClientResponse } from "../metrics.ts";
import type { AnswerBinding } from "../../generated/proto/license/v1/license.ts";
import { answerBinding, checkNonce, type BindableRequest } from "./signed-answers.ts";

/** How often a process adds its validation counts to the database. */
const ACTIVITY_FLUSH_MS = 10_000;

export interface LicensingServices {
  handle: DbHandle;
  clock: Clock;
  logger: Logger;
  encryptionKey: Buffer;
  heartbeatToleranceSeconds: number;
  signer: () => Promise<Signer>;
  limiter: LicensingRateLimiter;
  activity: ActivityCounter;
  heartbeats: HeartbeatBuffer;
  /** Stops the periodic flushes and writes what is still in memory (heartbeats, counts). */
  close(): Promise<void>;
}

export function createLicensingServices(options: {
  database: DbHandle;
  encryptionKey: Buffer;
  licensing: LicensingConfig;
  logger: Logger;
  clock?: Clock;
  /** how often buffered heartbeats are written; default 1000 ms */
  heartbeatFlushMs?: number;
}): LicensingServices {
  const { database, licensing } = options;
  const activity = new ActivityCounter(database.db, options.logger);
  const heartbeats = new HeartbeatBuffer(
    database.db,
    database.provider,
    options.logger,
    options.heartbeatFlushMs,
  );
  const timer = setInterval(() => {
    void activity.flush();
  }, ACTIVITY_FLUSH_MS);
  timer.unref();
  const limiter = new LicensingRateLimiter(
    licensing.rateLimitPerKey,
    licensing.rateLimitPerPeer,
    licensing.rateLimitStore === "database" ? { target: database.target, logger: options.logger } : undefined,
    licensing.trialRateLimitPerHour,
  );
  return {
    handle: database,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    encryptionKey: options.encryptionKey,
    heartbeatToleranceSeconds: licensing.heartbeatToleranceSeconds,
    signer: cachedSigner(database.db, options.encryptionKey),
    limiter,
    activity,
    heartbeats,
    close: async () => {
      clearInterval(timer);
      await Promise.all([activity.flush(), heartbeats.close(), limiter.close()]);
    },
  };
}

/**
 * One licensing call, whatever the transport: the nonce, rate limits (per address, per license
 * key), the operation, the dashboard's count of validations, and the answer's binding to the
 * request (the transport then signs the bytes it sends: ./signed-answers.ts).
 */
export async function runClientOperation<
  Req extends BindableRequest,
  Res extends { binding?: AnswerBinding },
>(
  services: LicensingServices,
  op: ClientOperation<Req, Res>,
  request: Req,
  ip: string,
  onRate?: (state: RateState) => void,
): Promise<Res> {
  // limits count before anything is checked, the nonce included
  const rate = await services.limiter
    .consume(ip, op.licenseKey(request), op.trialLimited === true)
    .catch(countRateLimited(op.rpc));
  onRate?.(rate);
  checkNonce(request.nonce);
  const response = await op.run(clientContext(services, ip), request);
  if (op.validation)
    services.activity.record(services.clock.now(), op.validation(response), op.licenseKey(request));
  observeClientResponse(op, response);
  response.binding = answerBinding(op.rpc, request);
  return response;
}

export function clientContext(services: LicensingServices, ip: string | null): LicensingContext {
  return {
    db: services.handle.db,
    reads: services.handle.reads,
    provider: services.handle.provider,
    clock: services.clock,
    logger: services.logger,
    ip,
    encryptionKey: services.encryptionKey,
    signer: services.signer,
    heartbeatToleranceSeconds: services.heartbeatToleranceSeconds,
    heartbeats: services.heartbeats,
  };
}
