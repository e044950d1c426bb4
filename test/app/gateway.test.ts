// The gRPC sidecar on port 0 against a freshly migrated SQLite database.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, Status, type Channel } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { HealthCheckResponse_ServingStatus } from "nice-grpc-server-health/lib/proto/grpc/health/v1/health";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import { ServerReflectionRequest } from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayServer, type Gateway } from "../../grpc-gateway/server.ts";
import { openDatabase, type DbHandle } from "../../src/server/db/client.ts";
import { applyMigrations } from "../../src/server/db/migrate.ts";
import { createLogger } from "../../src/server/logger.ts";

const gatewayConfig = {
  grpcHost: "127.0.0.1",
  grpcPort: 0,
  encryptionKey: randomBytes(32),
  licensing: {
    heartbeatToleranceSeconds: 60,
    reaperIntervalSeconds: 0,
    rateLimitPerKey: 600,
    rateLimitPerPeer: 6000,
  },
};

describe("gRPC gateway", () => {
  let dir: string;
  let database: DbHandle;
  let gateway: Gateway;
  let channel: Channel;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ls-gateway-"));
    const target = { provider: "sqlite" as const, url: join(dir, "license.db") };
    await applyMigrations(target);
    database = await openDatabase(target);
    gateway = await createGatewayServer({
      config: gatewayConfig,
      logger: createLogger({ level: "silent" }),
      db: database,
      shutdownTimeoutMs: 300,
    });
    channel = createChannel(`127.0.0.1:${gateway.port}`);
  });

  afterAll(async () => {
    channel.close();
    await gateway.shutdown();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("listens on the port the OS gave it", () => {
    expect(gateway.port).toBeGreaterThan(0);
    expect(gateway.address).toBe(`127.0.0.1:${gateway.port}`);
  });

  it("answers the standard health check with SERVING", async () => {
    const health = createClient(HealthDefinition, channel);
    const response = await health.check({ service: "" }, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("reports license.v1.LicenseService as SERVING", async () => {
    const health = createClient(HealthDefinition, channel);
    const response = await health.check({ service: "license.v1.LicenseService" });
    expect(response.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("lists its services through server reflection (grpc.reflection.v1)", async () => {
    const reflection = createClient(ServerReflectionService, channel);
    async function* requests() {
      yield await Promise.resolve(new ServerReflectionRequest().setListServices("*"));
    }
    const names: string[] = [];
    for await (const response of reflection.serverReflectionInfo(requests())) {
      for (const service of response.getListServicesResponse()?.getServiceList() ?? [])
        names.push(service.getName());
    }
    expect(names).toEqual(
      expect.arrayContaining([
        "license.v1.LicenseService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
      ]),
    );
  });

  it("answers NOT_FOUND for a service it does not serve", async () => {
    const health = createClient(HealthDefinition, channel);
    await expect(health.check({ service: "no.such.v1.Service" })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
  });

  it("shuts down within its timeout even with a health Watch stream open", async () => {
    const other = await createGatewayServer({
      config: gatewayConfig,
      logger: createLogger({ level: "silent" }),
      db: database,
      shutdownTimeoutMs: 300,
    });
    const watchChannel = createChannel(`127.0.0.1:${other.port}`);
    const health = createClient(HealthDefinition, watchChannel);
    const updates = health.watch({ service: "" });
    const first = await updates[Symbol.asyncIterator]().next();
    expect(first.value).toMatchObject({ status: HealthCheckResponse_ServingStatus.SERVING });

    const started = Date.now();
    await other.shutdown();
    expect(Date.now() - started).toBeLessThan(3000);
    // the stream was cancelled by the forced shutdown; a new call finds nobody listening
    await expect(health.check({ service: "" }, { signal: AbortSignal.timeout(1000) })).rejects.toBeTruthy();
    watchChannel.close();
  });
});
