// The sidecar's middleware on a real nice-grpc server (port 0), with a stand-in service (the
// health service's shape) whose handler does what each case needs.
import {
  createChannel,
  createClientFactory,
  createServer,
  Status,
  type Channel,
  type Server,
} from "nice-grpc";
import {
  BadRequest,
  errorDetailsClientMiddleware,
  errorDetailsServerMiddleware,
  RetryInfo,
  RichClientError,
} from "nice-grpc-error-details";
import { HealthDefinition } from "nice-grpc-server-health";
import { HealthCheckResponse_ServingStatus } from "nice-grpc-server-health/lib/proto/grpc/health/v1/health";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deadlineMiddleware,
  errorMappingMiddleware,
  loggingMiddleware,
  protoFieldPath,
  type CallRecord,
} from "../../grpc-gateway/middleware.ts";
import { peerAddress } from "../../grpc-gateway/license-service.ts";
import { DomainError, toDomainError } from "../../src/server/core/errors.ts";
import { createLogger } from "../../src/server/logger.ts";

describe("gRPC middleware", () => {
  let server: Server;
  let channel: Channel;
  const records: CallRecord[] = [];
  const client = () =>
    createClientFactory().use(errorDetailsClientMiddleware).create(HealthDefinition, channel);

  beforeAll(async () => {
    const logger = createLogger({ level: "silent" });
    server = createServer()
      .use(loggingMiddleware(logger, (r) => records.push(r)))
      .use(errorDetailsServerMiddleware)
      .use(deadlineMiddleware(200))
      .use(errorMappingMiddleware(logger));
    server.add(HealthDefinition, {
      async check({ service }) {
        if (service === "slow") await new Promise((resolve) => setTimeout(resolve, 1000));
        if (service === "bad") {
          throw new DomainError("INVALID_ARGUMENT", "invalid input: client.productCode: is required", [
            { path: "client.productCode", message: "is required" },
          ]);
        }
        if (service === "missing") throw new DomainError("NOT_FOUND", "no such thing");
        if (service === "busy")
          throw toDomainError({ code: "P2028", message: "Unable to start a transaction" });
        if (service === "crash") throw new Error("connection refused at db.internal:5432 (password=hunter2)");
        return { status: HealthCheckResponse_ServingStatus.SERVING };
      },
      // not used by these tests
      async *watch() {
        yield await Promise.resolve({ status: HealthCheckResponse_ServingStatus.SERVING });
      },
    });
    const port = await server.listen("127.0.0.1:0");
    channel = createChannel(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    channel.close();
    await server.shutdown();
  });

  it("maps INVALID_ARGUMENT with a BadRequest naming the proto field", async () => {
    const error = (await client()
      .check({ service: "bad" })
      .catch((e: unknown) => e)) as RichClientError;
    expect(error).toBeInstanceOf(RichClientError);
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toBe("invalid input: client.productCode: is required");
    const violations = error.extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations : []));
    expect(violations.map((v) => [v.field, v.description])).toEqual([["client.product_code", "is required"]]);
  });

  it("maps other domain codes, and hides unexpected errors behind INTERNAL", async () => {
    await expect(client().check({ service: "missing" })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    const crash = (await client()
      .check({ service: "crash" })
      .catch((e: unknown) => e)) as RichClientError;
    expect(crash.code).toBe(Status.INTERNAL);
    expect(crash.details).toBe("internal error");
    expect(JSON.stringify(crash)).not.toContain("hunter2");
  });

  const retryDelays = (error: RichClientError) =>
    error.extra.flatMap((d) => (d.$type === RetryInfo.$type ? [d.retryDelay?.seconds] : []));

  it("ends calls that run past the server's limit with UNAVAILABLE and RetryInfo (busy, try later)", async () => {
    const started = Date.now();
    const error = (await client()
      .check({ service: "slow" })
      .catch((e: unknown) => e)) as RichClientError;
    expect(Date.now() - started).toBeLessThan(900);
    expect(error).toBeInstanceOf(RichClientError);
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.details).toMatch(/busy/);
    expect(retryDelays(error)).toEqual([1]);
  });

  it("maps a database wait that ran out to UNAVAILABLE with RetryInfo, not INTERNAL", async () => {
    const error = (await client()
      .check({ service: "busy" })
      .catch((e: unknown) => e)) as RichClientError;
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.details).toMatch(/no database connection came free/);
    expect(retryDelays(error)).toEqual([1]);
  });

  it("reports every call to the metrics hook with its status", async () => {
    records.length = 0;
    await client().check({ service: "" });
    await client()
      .check({ service: "bad" })
      .catch(() => undefined);
    expect(records.map((r) => [r.method, r.code])).toEqual([
      ["/grpc.health.v1.Health/Check", "OK"],
      ["/grpc.health.v1.Health/Check", "INVALID_ARGUMENT"],
    ]);
    expect(records[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("names fields and peers the way clients and logs expect", () => {
    expect(protoFieldPath("client.productCode")).toBe("client.product_code");
    expect(protoFieldPath("licenseKey")).toBe("license_key");
    expect(peerAddress("ipv4:127.0.0.1:50123")).toBe("127.0.0.1");
    expect(peerAddress("ipv6:[::1]:50123")).toBe("::1");
    expect(peerAddress("unix:/tmp/sock")).toBe("/tmp/sock");
  });
});
