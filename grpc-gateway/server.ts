// The gRPC sidecar for shipped software: license.v1.LicenseService over the domain, the standard
// health service (grpc.health.v1.Health) and server reflection, behind the middleware in
// ./middleware.ts. It also starts the session reaper (src/server/jobs/session-reaper.ts).
import { readFileSync } from "node:fs";
import { ServerCredentials } from "@grpc/grpc-js";
import { createServer, type Server } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import { LicenseServiceDefinition } from "../src/generated/proto/license/v1/license.ts";
import {
  createLicensingServices,
  type LicensingServices,
} from "../src/server/licensing-api/licensing-services.ts";
import type { TrustProxy } from "../src/server/client-address.ts";
import type { Config, GrpcTlsConfig } from "../src/server/config.ts";
import type { Clock } from "../src/server/core/context.ts";
import { startSessionReaper } from "../src/server/jobs/session-reaper.ts";
import type { DbHandle } from "../src/server/db/client.ts";
import type { Logger } from "../src/server/logger.ts";
import { licenseServiceImpl } from "./license-service.ts";
import { reloadableServerCredentials, TlsFilesError, type ReloadableTls } from "./tls.ts";
import {
  deadlineMiddleware,
  errorMappingMiddleware,
  loggingMiddleware,
  type CallRecord,
} from "./middleware.ts";
import { requestDecodingMiddleware, tolerantDecoding } from "./request-decoding.ts";

/** How long a graceful shutdown waits for running calls (health Watch streams never end). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** The longest a unary call may run on the server; then it answers UNAVAILABLE with RetryInfo. */
export const DEFAULT_MAX_CALL_MS = 15_000;

const PROTOSET = new URL("../src/generated/proto/license.protoset", import.meta.url);

export interface GatewayOptions {
  config: Pick<Config, "grpcHost" | "grpcPort" | "encryptionKey" | "licensing"> & {
    /** TLS files (GRPC_TLS_*); absent or null: plaintext */
    grpcTls?: GrpcTlsConfig | null;
    /** TRUST_PROXY: whose x-forwarded-for metadata names the caller; absent: the peer's address */
    trustProxy?: TrustProxy;
  };
  logger: Logger;
  /** the database the services use; the caller opens and closes it */
  db: DbHandle;
  clock?: Clock;
  shutdownTimeoutMs?: number;
  maxCallMs?: number;
  /** metrics hook: called once per finished call */
  onCall?: (record: CallRecord) => void;
}

export interface Gateway {
  server: Server;
  /** the bound port (the real one when config.grpcPort is 0) */
  port: number;
  /** host:port as listened on */
  address: string;
  health: HealthState;
  services: LicensingServices;
  /** the TLS being served; null when the sidecar listens in plaintext */
  tls: ReloadableTls | null;
  /**
   * Re-reads the TLS files (main.ts calls it on SIGHUP): new connections get the new certificate,
   * open ones keep theirs. Bad files are logged and the old certificate stays; returns whether
   * the new one is served.
   */
  reloadTls(): boolean;
  /** Runs the reaper once now (it also runs on its interval). */
  reap(): Promise<number>;
  /** Stops accepting calls, waits for running ones up to the timeout, then cancels the rest. */
  shutdown(): Promise<void>;
}

/** `host:port`, with IPv6 literals in brackets as gRPC expects. */
export function grpcAddress(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function createGatewayServer(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  // before anything else starts: bad TLS files stop the sidecar with a TlsFilesError naming the setting
  const tls = config.grpcTls ? reloadableServerCredentials(config.grpcTls) : null;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const services = createLicensingServices({
    database: options.db,
    encryptionKey: config.encryptionKey,
    licensing: config.licensing,
    logger,
    clock: options.clock,
  });

  const health = HealthState();
  const server = createServer()
    .use(loggingMiddleware(logger, options.onCall))
    .use(errorDetailsServerMiddleware)
    .use(deadlineMiddleware(options.maxCallMs ?? DEFAULT_MAX_CALL_MS))
    .use(errorMappingMiddleware(logger))
    .use(requestDecodingMiddleware);
  // bytes that do not decode answer INVALID_ARGUMENT (grpc-js would answer INTERNAL)
  server.add(
    tolerantDecoding(LicenseServiceDefinition, readFileSync(PROTOSET)),
    licenseServiceImpl(services, config.trustProxy),
  );
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(
    ServerReflectionService,
    ServerReflection(readFileSync(PROTOSET), [
      LicenseServiceDefinition.fullName,
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
    ]),
  );
  health.setStatus("healthy");
  health.setStatus("healthy", LicenseServiceDefinition.fullName);

  const port = await server.listen(
    grpcAddress(config.grpcHost, config.grpcPort),
    tls?.credentials ?? ServerCredentials.createInsecure(),
  );
  const address = grpcAddress(config.grpcHost, port);
  if (tls) logger.info({ certificate: tls.current() }, "gRPC sidecar serves TLS");
  const reloadTls = (): boolean => {
    if (!tls) {
      logger.info("TLS reload asked for, but the sidecar serves plaintext (GRPC_TLS_* not set)");
      return false;
    }
    try {
      logger.info({ certificate: tls.reload() }, "TLS certificates reloaded");
      return true;
    } catch (error) {
      if (!(error instanceof TlsFilesError)) throw error;
      logger.error(
        { error: error.message, certificate: tls.current() },
        "TLS reload failed; still serving the previous certificate",
      );
      return false;
    }
  };

  // the session reaper and activity sampling (src/server/jobs): one run at a time
  const reaper = startSessionReaper({
    database: options.db,
    clock: services.clock,
    logger,
    encryptionKey: config.encryptionKey,
    heartbeats: services.heartbeats,
    toleranceSeconds: config.licensing.heartbeatToleranceSeconds,
    intervalSeconds: config.licensing.reaperIntervalSeconds,
  });
  const reap = () => reaper.runNow();

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      health.setStatus("unhealthy");
      health.setStatus("unhealthy", LicenseServiceDefinition.fullName);
      // no new reaper runs from here on; a running one is waited for below
      const reaperStopped = reaper.stop();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true);
        }, shutdownTimeoutMs);
      });
      const graceful = server.shutdown().then(() => false);
      if (await Promise.race([graceful, timedOut])) {
        logger.warn(
          { timeoutMs: shutdownTimeoutMs },
          "gRPC calls still running after the timeout; cancelling them",
        );
        server.forceShutdown();
      }
      clearTimeout(timer);
      // Every call has written what it writes; let a running reaper finish its transaction too,
      // then write the validation counts still in memory.
      await reaperStopped;
      await services.close();
    })();
    return stopping;
  };

  return { server, port, address, health, services, tls, reloadTls, reap, shutdown };
}
