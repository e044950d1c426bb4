// The gRPC sidecar for shipped software. For now it serves only the standard health service
// (grpc.health.v1.Health); the licensing services (license.v1) are added here as they land.
import { createServer, type Server } from "nice-grpc";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import type { Config } from "../src/server/config.ts";
import type { DbHandle } from "../src/server/db/client.ts";
import type { Logger } from "../src/server/logger.ts";

/** How long a graceful shutdown waits for running calls (health Watch streams never end). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export interface GatewayOptions {
  config: Pick<Config, "grpcHost" | "grpcPort">;
  logger: Logger;
  /** the database the services use; the caller opens and closes it */
  db: DbHandle;
  shutdownTimeoutMs?: number;
}

export interface Gateway {
  server: Server;
  /** the bound port (the real one when config.grpcPort is 0) */
  port: number;
  /** host:port as listened on */
  address: string;
  health: HealthState;
  /** Stops accepting calls, waits for running ones up to the timeout, then cancels the rest. */
  shutdown(): Promise<void>;
}

/** `host:port`, with IPv6 literals in brackets as gRPC expects. */
export function grpcAddress(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function createGatewayServer(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;

  const health = HealthState();
  const server = createServer();
  server.add(HealthDefinition, HealthServiceImpl(health));
  // Only the overall status ("") is served: license.v1.LicenseService is not implemented yet.
  health.setStatus("healthy");

  const port = await server.listen(grpcAddress(config.grpcHost, config.grpcPort));
  const address = grpcAddress(config.grpcHost, port);

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      health.setStatus("unhealthy");
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
    })();
    return stopping;
  };

  return { server, port, address, health, shutdown };
}
