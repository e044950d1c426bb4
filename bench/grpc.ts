// gRPC Validate and Heartbeat throughput next to bare echo servers (nice-grpc and raw grpc-js)
// with the same payload sizes, measured in the same run; each signed (the sidecar, as shipped)
// beside its unsigned twin (bench/lib/server-child.ts: the same operation answering the bare
// encoded response), so the cost of signing shows as a ratio within one run; Validate's latency
// at half its peak; the REST twin's Validate; the server process's RSS under load. Servers run in
// a child process, the load generator here; both on this machine over loopback.
import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  HeartbeatRequest,
  SignedAnswer,
  ValidateRequest,
  ValidateResponse,
  StatusCode,
} from "../src/generated/proto/license/v1/license.ts";
import { closedLoop, openLoop, type LoadResult } from "./lib/load.ts";
import type { Seeded } from "./lib/seed.ts";

/** A closed-loop run with the server process's CPU time per call (user + system, µs). */
export type ServerRun = LoadResult & { serverCpuUs: number };

/** A signed run and its unsigned twin, each the median of its rounds, and their ratios per round. */
export interface SignedPair {
  signed: ServerRun;
  unsigned: ServerRun;
  /** median over the rounds of signed rate / unsigned rate (both in the same round) */
  rateRatio: number;
  /** median over the rounds of signed − unsigned server CPU per call, µs */
  extraCpuUs: number;
}

export interface GrpcFigures {
  echoNice: ServerRun;
  echoRaw: ServerRun;
  /** the sidecar's Validate (signed); validatePair.signed is the same run */
  validate: ServerRun;
  validatePair: SignedPair;
  heartbeatPair: SignedPair;
  /** bytes on the wire: a signed Validate answer (envelope included) and the unsigned one */
  answerBytes: { signed: number; unsigned: number };
  validateHalfPeak: LoadResult;
  /** event-loop delay during the half-peak run, ms: the server's and the load generator's */
  halfPeakDelay: { server: { p99: number; max: number }; generator: { p99: number; max: number } };
  heartbeat: ServerRun;
  restValidate: LoadResult;
  serverRssMb: number;
  validStatuses: number;
}

const passthrough = (b: Buffer) => b;

function unary(address: string, path: string) {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return {
    call: (body: Buffer) =>
      new Promise<Buffer>((resolve, reject) => {
        client.makeUnaryRequest(path, passthrough, passthrough, body, (error, value) => {
          if (error) reject(error);
          else resolve(value ?? Buffer.alloc(0));
        });
      }),
    close: () => {
      client.close();
    },
  };
}

export async function benchGrpc(
  seeded: Seeded,
  options: { seconds: number; concurrency: number; rounds?: number },
): Promise<GrpcFigures> {
  const { seconds, concurrency } = options;
  const rounds = options.rounds ?? 3;
  const client = (fingerprint: string) => ({
    productCode: seeded.productCode,
    fingerprint,
    clientVersion: "1.0.0",
    hostname: "bench",
    components: [],
  });
  // distinct keys and machines, as many clients would send them
  const validateBodies = seeded.keys.slice(0, 20_000).map((key, i) =>
    Buffer.from(
      ValidateRequest.encode({
        licenseKey: key,
        client: client(`bench-${i}`),
        nonce: randomBytes(16),
      }).finish(),
    ),
  );
  const heartbeatBodies = seeded.sessions.map((s) =>
    Buffer.from(
      HeartbeatRequest.encode({
        licenseKey: s.key,
        sessionId: s.sessionId,
        client: client(s.fingerprint),
        nonce: randomBytes(16),
      }).finish(),
    ),
  );

  const child: ChildProcess = fork(join(import.meta.dirname, "lib/server-child.ts"), {
    // BENCH_PROFILE=<dir>: a CPU profile of the servers (open it in Chrome's DevTools)
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    ],
    env: {
      ...process.env,
      BENCH_TARGET: JSON.stringify(seeded.target),
      BENCH_KEY: seeded.encryptionKey.toString("base64"),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ports = await new Promise<{
    gateway: number;
    unsigned: number;
    rest: number;
    nice: number;
    raw: number;
  }>((resolve) => {
    child.once("message", (m) => {
      resolve(m as never);
    });
  });
  const askAll = (type: "rss" | "cpu" | "delay-start" | "delay") =>
    new Promise<Record<string, number>>((resolve) => {
      child.once("message", (m) => {
        resolve(m as Record<string, number>);
      });
      child.send({ type });
    });
  const ask = async (type: "rss" | "cpu") => (await askAll(type))[type] ?? 0;
  const rss = () => ask("rss");
  // the server's CPU time per call tells what a call costs the server, whoever else shares the cores
  const measured = async (run: () => Promise<LoadResult>): Promise<ServerRun> => {
    const before = await ask("cpu");
    const result = await run();
    const calls = result.rate * seconds;
    return { ...result, serverCpuUs: calls > 0 ? ((await ask("cpu")) - before) / calls : 0 };
  };

  const validate = unary(`127.0.0.1:${ports.gateway}`, "/license.v1.LicenseService/Validate");
  const heartbeat = unary(`127.0.0.1:${ports.gateway}`, "/license.v1.LicenseService/Heartbeat");
  const validateUnsigned = unary(`127.0.0.1:${ports.unsigned}`, "/bench.UnsignedLicenseService/Validate");
  const heartbeatUnsigned = unary(`127.0.0.1:${ports.unsigned}`, "/bench.UnsignedLicenseService/Heartbeat");
  // the echo payload: the size of a real signed Validate answer (envelope, grace token and all)
  const first = validateBodies[0] ?? Buffer.alloc(0);
  const signedBytes = await validate.call(first);
  const sample = ValidateResponse.decode(SignedAnswer.decode(signedBytes).answer);
  if (sample.status !== StatusCode.STATUS_CODE_VALID)
    throw new Error(`bench license not valid: ${sample.message}`);
  const unsignedBytes = await validateUnsigned.call(first);
  if (ValidateResponse.decode(unsignedBytes).status !== StatusCode.STATUS_CODE_VALID)
    throw new Error("the unsigned twin does not answer VALID");
  const answerBytes = { signed: signedBytes.length, unsigned: unsignedBytes.length };
  child.send({ type: "echo-size", bytes: answerBytes.signed });

  const echoNiceClient = unary(`127.0.0.1:${ports.nice}`, "/bench.Echo/Echo");
  const echoRawClient = unary(`127.0.0.1:${ports.raw}`, "/bench.Echo/Echo");
  const echoBody = first;

  // BENCH_VALIDATE_ONLY=1 (with BENCH_PROFILE): nothing but the Validate run, for a clean profile
  const validateOnly = process.env.BENCH_VALIDATE_ONLY === "1";
  const skipped = { rate: 0, p50: 0, p95: 0, p99: 0, errors: 0, serverCpuUs: 0 };
  let valid = 0;
  // the load generator decodes each answer (not verifying it: that is the SDK's cost, sdk-verify.ts)
  const validateRun = (target: ReturnType<typeof unary>, signed: boolean) =>
    measured(() =>
      closedLoop(
        async (i) => {
          const bytes = await target.call(validateBodies[i % validateBodies.length] ?? echoBody);
          const answer = ValidateResponse.decode(signed ? SignedAnswer.decode(bytes).answer : bytes);
          if (answer.status === StatusCode.STATUS_CODE_VALID) valid += 1;
        },
        concurrency,
        seconds,
      ),
    );
  const heartbeatRun = (target: ReturnType<typeof unary>) =>
    measured(() =>
      closedLoop(
        (i) => target.call(heartbeatBodies[i % heartbeatBodies.length] ?? echoBody),
        concurrency,
        seconds,
      ),
    );
  // Rounds of echo, echo, Validate signed and unsigned, Heartbeat signed and unsigned, interleaved,
  // each figure the median of its rounds: on a shared machine a single run of each, minutes apart,
  // compares different moments. Which twin goes first alternates from round to round.
  const runs: Record<"nice" | "raw" | "validate" | "validateU" | "heartbeat" | "heartbeatU", ServerRun[]> = {
    nice: [],
    raw: [],
    validate: [],
    validateU: [],
    heartbeat: [],
    heartbeatU: [],
  };
  for (let round = 0; round < (validateOnly ? 1 : rounds); round++) {
    if (validateOnly) {
      runs.validate.push(await validateRun(validate, true));
      continue;
    }
    runs.nice.push(
      await measured(() => closedLoop(() => echoNiceClient.call(echoBody), concurrency, seconds)),
    );
    runs.raw.push(await measured(() => closedLoop(() => echoRawClient.call(echoBody), concurrency, seconds)));
    const signedFirst = round % 2 === 0;
    for (const signed of signedFirst ? [true, false] : [false, true]) {
      if (signed) runs.validate.push(await validateRun(validate, true));
      else runs.validateU.push(await validateRun(validateUnsigned, false));
    }
    for (const signed of signedFirst ? [true, false] : [false, true]) {
      if (signed) runs.heartbeat.push(await heartbeatRun(heartbeat));
      else runs.heartbeatU.push(await heartbeatRun(heartbeatUnsigned));
    }
  }
  const middle = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
  const median = (list: ServerRun[]) =>
    [...list].sort((a, b) => a.rate - b.rate)[Math.floor(list.length / 2)] ?? skipped;
  const pair = (signed: ServerRun[], unsignedRuns: ServerRun[]): SignedPair => ({
    signed: median(signed),
    unsigned: median(unsignedRuns),
    rateRatio: middle(signed.map((s, i) => s.rate / (unsignedRuns[i]?.rate ?? Number.NaN))),
    extraCpuUs: middle(signed.map((s, i) => s.serverCpuUs - (unsignedRuns[i]?.serverCpuUs ?? Number.NaN))),
  });
  const echoNice = validateOnly ? skipped : median(runs.nice);
  const echoRaw = validateOnly ? skipped : median(runs.raw);
  const validatePair = pair(runs.validate, runs.validateU);
  const heartbeatPair = pair(runs.heartbeat, runs.heartbeatU);
  const validateMedian = validatePair.signed;
  const serverRssMb = (await rss()) / 1024 / 1024;
  const stopAll = async () => {
    for (const c of [validate, heartbeat, validateUnsigned, heartbeatUnsigned, echoNiceClient, echoRawClient])
      c.close();
    child.send({ type: "stop" });
    await new Promise((resolve) => child.once("exit", resolve));
  };
  if (validateOnly) {
    await stopAll();
    return {
      echoNice,
      echoRaw,
      validate: validateMedian,
      validatePair,
      heartbeatPair,
      answerBytes,
      validateHalfPeak: skipped,
      halfPeakDelay: { server: { p99: 0, max: 0 }, generator: { p99: 0, max: 0 } },
      heartbeat: skipped,
      restValidate: skipped,
      serverRssMb,
      validStatuses: valid,
    };
  }
  await askAll("delay-start");
  const generatorDelay = monitorEventLoopDelay({ resolution: 1 });
  generatorDelay.enable();
  const validateHalfPeak = await openLoop(
    (i) => validate.call(validateBodies[i % validateBodies.length] ?? echoBody),
    validateMedian.rate / 2,
    seconds,
  );
  generatorDelay.disable();
  const serverDelay = await askAll("delay");
  const halfPeakDelay = {
    server: { p99: serverDelay.delay ?? 0, max: serverDelay.delayMax ?? 0 },
    generator: { p99: generatorDelay.percentile(99) / 1e6, max: generatorDelay.max / 1e6 },
  };
  const restUrl = `http://127.0.0.1:${ports.rest}/api/v1/client/validate`;
  const restBodies = seeded.keys.slice(0, 5000).map((key, i) =>
    JSON.stringify({
      licenseKey: key,
      client: client(`rest-${i}`),
      nonce: randomBytes(16).toString("base64"),
    }),
  );
  const restValidate = await closedLoop(
    async (i) => {
      const response = await fetch(restUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: restBodies[i % restBodies.length] ?? "{}",
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(String(response.status));
    },
    concurrency,
    seconds,
  );

  await stopAll();
  return {
    echoNice,
    echoRaw,
    validate: validateMedian,
    validatePair,
    heartbeatPair,
    answerBytes,
    validateHalfPeak,
    halfPeakDelay,
    heartbeat: heartbeatPair.signed,
    restValidate,
    serverRssMb,
    validStatuses: valid,
  };
}
