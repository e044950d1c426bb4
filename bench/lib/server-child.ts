// The servers under test, in their own process (so the load generator does not share their event
// loop): the gRPC sidecar over the seeded database, the REST twin's handler on node:http, two
// bare echo servers answering with a payload the size of a signed Validate answer (envelope
// included) — one on nice-grpc, one on raw @grpc/grpc-js — and the unsigned twin (below).
// Reports its ports over IPC and answers RSS and CPU-time queries.
import * as grpc from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { createServer as createNiceServer, type CallContext } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { callerAddress } from "../../grpc-gateway/license-service.ts";
import {
  deadlineMiddleware,
  errorMappingMiddleware,
  loggingMiddleware,
} from "../../grpc-gateway/middleware.ts";
import { requestDecodingMiddleware, tolerantDecoding } from "../../grpc-gateway/request-decoding.ts";
import { createGatewayServer, DEFAULT_MAX_CALL_MS } from "../../grpc-gateway/server.ts";
import {
  HeartbeatResponse,
  LicenseServiceDefinition,
  ValidateResponse,
  type HeartbeatRequest,
  type ValidateRequest,
} from "../../src/generated/proto/license/v1/license.ts";
import { clientOperations } from "../../src/server/licensing-api/operations.ts";
import { handleClientRestRequest } from "../../src/server/licensing-api/rest.ts";
import { runClientOperation } from "../../src/server/licensing-api/licensing-services.ts";
import { openDatabase } from "../../src/server/db/client.ts";
import type { DbTarget } from "../../src/server/db/provider.ts";
import { createLogger } from "../../src/server/logger.ts";

const target = JSON.parse(process.env.BENCH_TARGET ?? "{}") as DbTarget;
const encryptionKey = Buffer.from(process.env.BENCH_KEY ?? "", "base64");

const passthrough = (b: Buffer) => b;
export const ECHO_SERVICE: grpc.ServiceDefinition = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: passthrough,
    requestDeserialize: passthrough,
    responseSerialize: passthrough,
    responseDeserialize: passthrough,
  },
};

const handle = await openDatabase(target);
const logger = createLogger({ level: "silent" });
const gateway = await createGatewayServer({
  config: {
    grpcHost: "127.0.0.1",
    grpcPort: 0,
    encryptionKey,
    licensing: {
      heartbeatToleranceSeconds: 60,
      reaperIntervalSeconds: 0,
      rateLimitPerKey: 1_000_000_000,
      rateLimitPerPeer: 1_000_000_000,
    },
  },
  logger,
  db: handle,
});

const http = createHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request = new Request(url, {
        method: req.method,
        headers: { "content-type": "application/json" },
        body: Buffer.concat(chunks),
      });
      const route = url.pathname.replace("/api/v1/client/", "");
      const response = await handleClientRestRequest(request, gateway.services, route, "127.0.0.1");
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
});
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));

// the echo answer: as many bytes as a real signed Validate answer, envelope included (the load
// generator sets it from one it received)
let payload = Buffer.alloc(600, 7);
const nice = createNiceServer();
nice.add(ECHO_SERVICE, { echo: (_request: Buffer) => Promise.resolve(payload) });
const nicePort = await nice.listen("127.0.0.1:0");

const raw = new grpc.Server();
raw.addService(ECHO_SERVICE, {
  echo: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    callback(null, payload);
  },
});
const rawPort = await new Promise<number>((resolve, reject) => {
  raw.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) reject(error);
    else resolve(port);
  });
});

// The unsigned twin (bench only, never in the product): Validate and Heartbeat as the sidecar runs
// them — the same middleware, tolerant decoding, services (database, rate limits, heartbeat
// buffer) and operation, binding included — but answering the encoded response itself instead
// of sealing it in a SignedAnswer. Its server CPU per call next to the sidecar's is what signing
// costs under load.
const tolerant = tolerantDecoding(
  LicenseServiceDefinition,
  readFileSync(new URL("../../src/generated/proto/license.protoset", import.meta.url)),
);
const UNSIGNED_SERVICE = {
  name: "UnsignedLicenseService",
  fullName: "bench.UnsignedLicenseService",
  methods: {
    validate: { ...tolerant.methods.validate, responseType: ValidateResponse },
    heartbeat: { ...tolerant.methods.heartbeat, responseType: HeartbeatResponse },
  },
} as const;
const unsigned = createNiceServer()
  .use(loggingMiddleware(logger))
  .use(errorDetailsServerMiddleware)
  .use(deadlineMiddleware(DEFAULT_MAX_CALL_MS))
  .use(errorMappingMiddleware(logger))
  .use(requestDecodingMiddleware);
unsigned.add(UNSIGNED_SERVICE, {
  validate: (request: ValidateRequest, context: CallContext) =>
    runClientOperation(gateway.services, clientOperations.validate, request, callerAddress(context, false)),
  heartbeat: (request: HeartbeatRequest, context: CallContext) =>
    runClientOperation(gateway.services, clientOperations.heartbeat, request, callerAddress(context, false)),
});
const unsignedPort = await unsigned.listen("127.0.0.1:0");

const address = http.address();
process.send?.({
  type: "ready",
  gateway: gateway.port,
  unsigned: unsignedPort,
  rest: typeof address === "object" && address ? address.port : 0,
  nice: nicePort,
  raw: rawPort,
});
let delay: IntervalHistogram | undefined;
process.on("message", (message: { type: string }) => {
  if (message.type === "rss") process.send?.({ type: "rss", rss: process.memoryUsage().rss });
  // the event loop's delay over a run (ms): stalls of the server itself show here
  if (message.type === "delay-start") {
    delay?.disable();
    delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    process.send?.({ type: "delay-start", "delay-start": 0 });
  }
  if (message.type === "delay") {
    delay?.disable();
    const p99 = (delay?.percentile(99) ?? 0) / 1e6;
    const max = (delay?.max ?? 0) / 1e6;
    process.send?.({ type: "delay", delay: p99, delayMax: max });
  }
  if (message.type === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send?.({ type: "cpu", cpu: user + system });
  }
  if (message.type === "echo-size") payload = Buffer.alloc((message as { bytes?: number }).bytes ?? 600, 7);
  if (message.type === "stop") {
    void (async () => {
      await unsigned.shutdown();
      await gateway.shutdown();
      http.close();
      await nice.shutdown();
      raw.forceShutdown();
      await handle.close();
      process.exit(0);
    })();
  }
});
