// The licensing API under test: the gRPC sidecar on a loopback port 0 over a test database (with
// the test's clock), a nice-grpc client for it, and the REST twin's handler on the same services.
import { randomBytes } from "node:crypto";
import { createChannel, createClientFactory, type Channel } from "nice-grpc";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import { createGatewayServer, type Gateway } from "../../grpc-gateway/server.ts";
import {
  LicenseServiceDefinition,
  type LicenseServiceClient,
} from "../../src/generated/proto/license/v1/license.ts";
import { handleClientRestRequest } from "../../src/server/client-api/rest.ts";
import type { LicensingConfig } from "../../src/server/config.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import type { DbHandle } from "../../src/server/db/client.ts";
import { createLogger } from "../../src/server/logger.ts";
import type { TestDb } from "./db.ts";

export interface LicensingServer {
  gateway: Gateway;
  client: LicenseServiceClient;
  /** POST (or `method`) to the REST twin: /api/v1/client/<route> */
  rest(
    route: string,
    body?: unknown,
    options?: { method?: string; ip?: string; raw?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startLicensingServer(
  db: TestDb,
  options: { licensing?: Partial<LicensingConfig>; handle?: DbHandle } = {},
): Promise<LicensingServer> {
  await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  const gateway = await createGatewayServer({
    config: {
      grpcHost: "127.0.0.1",
      grpcPort: 0,
      encryptionKey: db.ctx().encryptionKey,
      licensing: {
        heartbeatToleranceSeconds: 60,
        reaperIntervalSeconds: 0,
        rateLimitPerKey: 100_000,
        rateLimitPerPeer: 100_000,
        ...options.licensing,
      },
    },
    logger: createLogger({ level: "silent" }),
    db: options.handle ?? db.handle,
    clock: db.clock,
    shutdownTimeoutMs: 2000,
  });
  const channel: Channel = createChannel(`127.0.0.1:${gateway.port}`);
  const client = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .create(LicenseServiceDefinition, channel);
  return {
    gateway,
    client,
    rest: (route, body, o = {}) =>
      handleClientRestRequest(
        new Request(`http://localhost/api/v1/client/${route}`, {
          method: o.method ?? "POST",
          headers: { "content-type": "application/json" },
          ...((o.method ?? "POST") === "GET" ? {} : { body: o.raw ?? JSON.stringify(body ?? {}) }),
        }),
        gateway.services,
        route,
        o.ip ?? "127.0.0.1",
      ),
    close: async () => {
      channel.close();
      await gateway.shutdown();
    },
  };
}

export const fingerprint = () => `fp-${randomBytes(6).toString("hex")}`;
