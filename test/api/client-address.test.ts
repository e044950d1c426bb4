// Client addresses and the licensing API's limits, tried as an attacker would: rotating or forged
// X-Forwarded-For, a forged copy of the launcher's private socket header, forged left-most hops
// behind a trusted proxy, spellings of one license key, and gRPC + REST against one shared budget.
// The REST twin runs behind a real node:http server with the launcher's preload (real socket
// addresses; 127.0.0.2 is a second real client), through the same address function as its route.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientError, createChannel, createClient, Metadata, Status, type Channel } from "nice-grpc";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callerAddress, peerAddress } from "../../grpc-gateway/license-service.ts";
import { createGatewayServer, type Gateway } from "../../grpc-gateway/server.ts";
import * as preload from "../../scripts/lib/peer-stamp.mjs";
import {
  LicenseServiceDefinition,
  ValidateRequest,
  type LicenseServiceClient,
} from "../../src/generated/proto/license/v1/license.ts";
import {
  clientAddress,
  normalizeAddress,
  parseTrustProxy,
  PEER_HEADER,
  PEER_STAMP_FLAG,
  requestClientAddress,
  type TrustProxy,
} from "../../src/server/client-address.ts";
import { LicensingRateLimiter, rateKey } from "../../src/server/licensing-api/rate-limit.ts";
import { handleClientRestRequest } from "../../src/server/licensing-api/rest.ts";
import {
  createLicensingServices,
  type LicensingServices,
} from "../../src/server/licensing-api/licensing-services.ts";
import { ConfigError, loadConfig, type LicensingConfig } from "../../src/server/config.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { createLogger } from "../../src/server/logger.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { httpCall, serveFetch, type FetchServer, type HttpAnswer } from "../support/peer-http.ts";

const SECRETS = { JWT_SECRET: "s".repeat(40), ENCRYPTION_KEY: "ab".repeat(32) };
/** A well-formed key with zeros and ones, and spellings of it a person (or an attacker) may send. */
const KEY = "10A0B-C1D0E-F0G1H-J0K1M-N0P1Q";
const SPELLINGS = [
  "10a0b-c1d0e-f0g1h-j0k1m-n0p1q",
  "1OAOB-C1DOE-FOG1H-JOK1M-NOP1Q",
  "lOaOb cIdOe fOgih jOkim nOpiq",
  "10A0BC1D0EF0G1HJ0K1MN0P1Q",
];

describe("TRUST_PROXY and the address rule", () => {
  it("reads false, hop counts and proxy lists from the environment and the JSON config", () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("0")).toBe(false);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy(1)).toBe(1);
    expect(parseTrustProxy("10.0.0.0/8, 192.168.1.5,fd00::/8,loopback")).toEqual([
      "10.0.0.0/8",
      "192.168.1.5",
      "fd00::/8",
      "loopback",
    ]);
    const dir = mkdtempSync(join(tmpdir(), "ls-trust-"));
    try {
      expect(loadConfig({ ...SECRETS, DATA_DIR: dir }).trustProxy).toBe(false);
      expect(loadConfig({ ...SECRETS, DATA_DIR: dir, TRUST_PROXY: "1" }).trustProxy).toBe(1);
      const file = join(dir, "config.json");
      writeFileSync(file, JSON.stringify({ TRUST_PROXY: ["10.0.0.0/8", "::1"] }));
      expect(loadConfig({ ...SECRETS, DATA_DIR: dir, LICENSE_SERVER_CONFIG: file }).trustProxy).toEqual([
        "10.0.0.0/8",
        "::1",
      ]);
      writeFileSync(file, JSON.stringify({ TRUST_PROXY: 2 }));
      expect(loadConfig({ ...SECRETS, DATA_DIR: dir, LICENSE_SERVER_CONFIG: file }).trustProxy).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops with a message naming TRUST_PROXY on a bad value", () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-trust-"));
    try {
      for (const [value, why] of [
        ["true", /believe any X-Forwarded-For/],
        ["10.0.0.0/33", /"10\.0\.0\.0\/33" is not an IP address, a CIDR range/],
        ["10.0.0.1,,10.0.0.2", /empty entry/],
        ["proxy.example.com", /is not an IP address/],
        ["99", /whole number from 0 to 32/],
      ] as const) {
        let error: unknown;
        try {
          loadConfig({ ...SECRETS, DATA_DIR: dir, TRUST_PROXY: value });
        } catch (e) {
          error = e;
        }
        expect(error, value).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(/TRUST_PROXY: /);
        expect((error as Error).message, value).toMatch(why);
      }
      const file = join(dir, "config.json");
      writeFileSync(file, JSON.stringify({ TRUST_PROXY: true }));
      expect(() => loadConfig({ ...SECRETS, DATA_DIR: dir, LICENSE_SERVER_CONFIG: file })).toThrow(
        /TRUST_PROXY: true would believe any X-Forwarded-For/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("believes X-Forwarded-For only as far as TRUST_PROXY trusts, walking from the right", () => {
    // default: the socket, whatever the header says
    expect(clientAddress("203.0.113.5", "198.51.100.1", false)).toBe("203.0.113.5");
    // one proxy: the hop it appended; a forged left-most hop changes nothing
    expect(clientAddress("10.0.0.2", "198.51.100.7", 1)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", ["6.6.6.6", "198.51.100.7"], 1)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", 2)).toBe("198.51.100.7");
    // no header behind a proxy: the proxy itself
    expect(clientAddress("10.0.0.2", null, 1)).toBe("10.0.0.2");
    // a list: only those proxies are believed, and the walk stops at the first stranger
    const list = parseTrustProxy("10.0.0.0/8,192.168.1.5,fd00::/8");
    expect(clientAddress("10.9.8.7", "198.51.100.7", list)).toBe("198.51.100.7");
    expect(clientAddress("192.168.1.5", "6.6.6.6, 198.51.100.7, 10.0.0.4", list)).toBe("198.51.100.7");
    expect(clientAddress("192.168.1.6", "198.51.100.7", list)).toBe("192.168.1.6");
    expect(clientAddress("fd00::5", "2001:db8::7", list)).toBe("2001:db8::7");
    expect(clientAddress("::ffff:10.1.1.1", "198.51.100.7", list)).toBe("198.51.100.7");
    // no socket address: nothing in the headers is believed
    expect(clientAddress(undefined, "198.51.100.7", 1)).toBe("unknown");
  });

  it("spells every address one way (IPv4-mapped IPv6 as IPv4, RFC 5952 IPv6)", () => {
    expect(normalizeAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeAddress("::FFFF:7f00:1")).toBe("127.0.0.1");
    expect(normalizeAddress("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(normalizeAddress("[::1]")).toBe("::1");
    expect(normalizeAddress("198.51.100.7")).toBe("198.51.100.7");
  });

  it("reads the socket header only where the preload stamps it, under the preload's names", () => {
    expect(preload.PEER_HEADER).toBe(PEER_HEADER);
    expect(preload.PEER_STAMP_FLAG).toBe(PEER_STAMP_FLAG);
    const holder = globalThis as { [PEER_STAMP_FLAG]?: unknown };
    const headers = new Headers({ [PEER_HEADER]: "203.0.113.9", "x-forwarded-for": "198.51.100.1" });
    const was = holder[PEER_STAMP_FLAG];
    try {
      // a process without the preload: a client's copy of the header is not believed
      Reflect.deleteProperty(holder, PEER_STAMP_FLAG);
      expect(requestClientAddress(headers, false)).toBe("unknown");
      expect(requestClientAddress(headers, 1)).toBe("unknown");
      holder[PEER_STAMP_FLAG] = true;
      expect(requestClientAddress(headers, false)).toBe("203.0.113.9");
      expect(
        requestClientAddress({ [PEER_HEADER]: "::ffff:10.0.0.2", "x-forwarded-for": "198.51.100.1" }, 1),
      ).toBe("198.51.100.1");
    } finally {
      holder[PEER_STAMP_FLAG] = was;
    }
  });

  it("reads gRPC callers by the same rule (peer, then x-forwarded-for metadata when trusted)", () => {
    const viaProxy = {
      peer: "ipv4:10.0.0.2:41000",
      metadata: Metadata({ "x-forwarded-for": "6.6.6.6, 198.51.100.7" }),
    };
    expect(callerAddress(viaProxy, false)).toBe("10.0.0.2");
    expect(callerAddress(viaProxy, 1)).toBe("198.51.100.7");
    expect(callerAddress(viaProxy, parseTrustProxy("10.0.0.0/8"))).toBe("198.51.100.7");
    expect(callerAddress(viaProxy, parseTrustProxy("192.168.0.0/16"))).toBe("10.0.0.2");
    expect(callerAddress({ peer: "ipv6:[::ffff:127.0.0.1]:5000", metadata: Metadata() }, false)).toBe(
      "127.0.0.1",
    );
    expect(peerAddress("ipv6:[::1]:5000")).toBe("::1");
  });

  it("counts every spelling of a key under its canonical form, a malformed key as sent, upper-cased", () => {
    for (const spelling of SPELLINGS) expect(rateKey(spelling), spelling).toBe(KEY);
    expect(rateKey("not-a-key")).toBe("NOT-A-KEY");
  });
});

function licensing(overrides: Partial<LicensingConfig>): LicensingConfig {
  return {
    heartbeatToleranceSeconds: 60,
    reaperIntervalSeconds: 0,
    rateLimitPerKey: 100_000,
    rateLimitPerPeer: 100_000,
    ...overrides,
  };
}

interface Twin {
  server: FetchServer;
  services: LicensingServices;
  call: (
    route: string,
    body: unknown,
    init?: { headers?: Record<string, string>; localAddress?: string },
  ) => Promise<HttpAnswer>;
  close: () => Promise<void>;
}

/** The REST twin as the web app serves it: its route's address rule over a real socket. */
async function startTwin(
  db: TestDb,
  options: { licensing: Partial<LicensingConfig>; trust: TrustProxy; host?: string },
): Promise<Twin> {
  await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  const services = createLicensingServices({
    database: db.handle,
    encryptionKey: db.ctx().encryptionKey,
    licensing: licensing(options.licensing),
    logger: createLogger({ level: "silent" }),
    clock: db.clock,
  });
  const server = await serveFetch((req) => {
    const route = new URL(req.url).pathname.split("/").pop() ?? "";
    return handleClientRestRequest(req, services, route, requestClientAddress(req.headers, options.trust));
  }, options.host);
  return {
    server,
    services,
    call: (route, body, init = {}) =>
      httpCall(`${server.url}/api/v1/client/${route}`, { body: JSON.stringify(body), ...init }),
    close: async () => {
      await server.close();
      await services.close();
    },
  };
}

// a fresh nonce each call: requests without one are refused before they are counted
const validateBody = (licenseKey: string) => ({
  nonce: randomBytes(16).toString("base64"),
  licenseKey,
  client: { productCode: "prod", fingerprint: "fp-attack", clientVersion: "1.0.0", hostname: "h" },
});

describeEachDb("REST twin per-address and per-key limits", (getDb) => {
  const open: Twin[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((twin) => twin.close()));
  });
  const twin = async (options: Parameters<typeof startTwin>[1]) => {
    const started = await startTwin(getDb(), options);
    open.push(started);
    return started;
  };

  it("rotating X-Forwarded-For (and forging the socket header) buys nothing with the default TRUST_PROXY", async () => {
    const { call } = await twin({ licensing: { rateLimitPerPeer: 5 }, trust: false });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const forged = `203.0.113.${i + 1}`;
      const answer = await call("validate", validateBody(""), {
        headers: { "x-forwarded-for": forged, "x-real-ip": forged, [PEER_HEADER]: forged },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(5)).toEqual(Array<number>(15).fill(429));
  });

  it("cannot get another address blocked by naming it in the headers", async () => {
    const { call } = await twin({ licensing: { rateLimitPerPeer: 5 }, trust: false });
    // the attacker (127.0.0.1) names its victim (127.0.0.2) in every header it can
    const victim = { "x-forwarded-for": "127.0.0.2", [PEER_HEADER]: "127.0.0.2" };
    for (let i = 0; i < 8; i++) await call("validate", validateBody(""), { headers: victim });
    expect((await call("validate", validateBody(""), { headers: victim })).status).toBe(429);
    // the victim's own calls are its own budget
    for (let i = 0; i < 5; i++) {
      const answer = await call("validate", validateBody(""), { localAddress: "127.0.0.2" });
      expect(answer.status).not.toBe(429);
    }
    expect((await call("validate", validateBody(""), { localAddress: "127.0.0.2" })).status).toBe(429);
  });

  it("behind one trusted proxy limits the real client, and a forged left-most hop buys nothing", async () => {
    // the socket (127.0.0.1) is the proxy; X-Forwarded-For ends with the client it saw
    const { call } = await twin({ licensing: { rateLimitPerPeer: 5 }, trust: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await call("validate", validateBody(""), {
        headers: { "x-forwarded-for": `6.6.6.${i}, 198.51.100.7` },
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(5)).toEqual(Array<number>(7).fill(429));
    // another client through the same proxy has its own budget
    const other = await call("validate", validateBody(""), {
      headers: { "x-forwarded-for": "198.51.100.8" },
    });
    expect(other.status).not.toBe(429);
  });

  it("with a proxy list believes only those proxies", async () => {
    const { call } = await twin({
      licensing: { rateLimitPerPeer: 3 },
      trust: parseTrustProxy("10.0.0.0/8,127.0.0.1"),
    });
    // through the listed proxy (127.0.0.1): each client named has its own budget
    for (let i = 0; i < 6; i++) {
      const answer = await call("validate", validateBody(""), {
        headers: { "x-forwarded-for": `198.51.100.${i + 20}` },
      });
      expect(answer.status).not.toBe(429);
    }
    // a caller not on the list (127.0.0.2) rotating the header is counted as itself
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await call("validate", validateBody(""), {
        headers: { "x-forwarded-for": `198.51.100.${i + 40}` },
        localAddress: "127.0.0.2",
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });

  it("counts O/0, I/L/1, case and separator spellings of one key as one key", async () => {
    const { call } = await twin({ licensing: { rateLimitPerKey: 4 }, trust: false });
    const answers: HttpAnswer[] = [];
    for (const spelling of [...SPELLINGS, KEY]) answers.push(await call("validate", validateBody(spelling)));
    expect(answers.slice(0, 4).map((a) => a.status)).not.toContain(429);
    expect(answers[4]?.status).toBe(429);
    expect(answers[4]?.body).toMatch(/for this license key/);
    // another key is not held up
    expect((await call("validate", validateBody("20A0B-C1D0E-F0G1H-J0K1M-N0P1Q"))).status).not.toBe(429);
  });
});

interface Grpc {
  gateway: Gateway;
  client: LicenseServiceClient;
  channel: Channel;
}

async function startGrpc(db: TestDb, overrides: Partial<LicensingConfig>, trust: TrustProxy): Promise<Grpc> {
  await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  const gateway = await createGatewayServer({
    config: {
      grpcHost: "127.0.0.1",
      grpcPort: 0,
      encryptionKey: db.ctx().encryptionKey,
      licensing: licensing(overrides),
      trustProxy: trust,
    },
    logger: createLogger({ level: "silent" }),
    db: db.handle,
    clock: db.clock,
    shutdownTimeoutMs: 2000,
  });
  const channel = createChannel(`127.0.0.1:${gateway.port}`);
  return { gateway, channel, client: createClient(LicenseServiceDefinition, channel) };
}

/** "limited" when the sidecar refused the call for a limit, else "answered" (whatever the answer). */
async function grpcCall(
  grpc: Grpc,
  licenseKey: string,
  forwardedFor?: string,
): Promise<"limited" | "answered"> {
  try {
    await grpc.client.validate(ValidateRequest.fromPartial({ licenseKey, nonce: randomBytes(16) }), {
      metadata: forwardedFor ? Metadata({ "x-forwarded-for": forwardedFor }) : Metadata(),
    });
    return "answered";
  } catch (error) {
    if (error instanceof ClientError && error.code === Status.RESOURCE_EXHAUSTED) return "limited";
    return "answered";
  }
}

const restOutcome = (answer: HttpAnswer) => (answer.status === 429 ? "limited" : "answered");

describeEachDb("the shared store, set up by processes starting together", (getDb) => {
  it("gives every limiter the shared count even when they race to create its table", async () => {
    // the sidecar and the web app start at once on a fresh database: on PostgreSQL the losers of
    // CREATE TABLE IF NOT EXISTS used to fall back to counting per process, unseen
    const logger = createLogger({ level: "silent" });
    const limiters = [0, 1, 2, 3].map(
      () => new LicensingRateLimiter(100, 4, { target: getDb().target, logger }),
    );
    try {
      await Promise.all(limiters.map((limiter) => limiter.consume("198.51.100.200", null)));
      const fifth = limiters[0]?.consume("198.51.100.200", null);
      await expect(fifth).rejects.toThrow(/too many calls from this address/);
      for (const limiter of limiters) {
        await expect(limiter.consume("198.51.100.200", null)).rejects.toThrow(
          /too many calls from this address/,
        );
      }
    } finally {
      await Promise.all(limiters.map((limiter) => limiter.close()));
    }
  });
});

describeEachDb("one budget for gRPC and REST (RATE_LIMIT_STORE=database), socket addresses", (getDb) => {
  let grpc: Grpc;
  let twin: Twin;
  const limits = { rateLimitStore: "database", rateLimitPerPeer: 6 } as const;
  beforeAll(async () => {
    grpc = await startGrpc(getDb(), limits, false);
    // dual-stack: the web app's socket says ::ffff:127.0.0.1 where the sidecar's peer says 127.0.0.1
    twin = await startTwin(getDb(), { licensing: limits, trust: false, host: "::" });
  });
  afterAll(async () => {
    grpc.channel.close();
    await grpc.gateway.shutdown();
    await twin.close();
  });

  it("counts a client's gRPC and REST calls against one per-address budget", async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await grpcCall(grpc, ""));
      outcomes.push(restOutcome(await twin.call("validate", validateBody(""))));
    }
    expect(outcomes).toEqual(Array<string>(6).fill("answered"));
    expect(await grpcCall(grpc, "")).toBe("limited");
    expect(restOutcome(await twin.call("validate", validateBody("")))).toBe("limited");
  });
});

describeEachDb("one budget for gRPC and REST (RATE_LIMIT_STORE=database), behind a proxy", (getDb) => {
  let grpc: Grpc;
  let twin: Twin;
  const limits = { rateLimitStore: "database", rateLimitPerPeer: 6, rateLimitPerKey: 4 } as const;
  // both sit behind a proxy on loopback (nginx grpc_pass and proxy_pass), which names the client
  const trust = parseTrustProxy("loopback");
  beforeAll(async () => {
    grpc = await startGrpc(getDb(), limits, trust);
    twin = await startTwin(getDb(), { licensing: limits, trust });
  });
  afterAll(async () => {
    grpc.channel.close();
    await grpc.gateway.shutdown();
    await twin.close();
  });

  it("counts the client a trusted proxy names against one per-address budget on both transports", async () => {
    const client = "198.51.100.61";
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await grpcCall(grpc, "", `6.6.6.${i}, ${client}`));
      const answer = await twin.call("validate", validateBody(""), {
        headers: { "x-forwarded-for": `7.7.7.${i}, ${client}` },
      });
      outcomes.push(restOutcome(answer));
    }
    expect(outcomes).toEqual(Array<string>(6).fill("answered"));
    expect(await grpcCall(grpc, "", client)).toBe("limited");
    expect(
      restOutcome(await twin.call("validate", validateBody(""), { headers: { "x-forwarded-for": client } })),
    ).toBe("limited");
    // the proxy's other clients are not held up
    expect(await grpcCall(grpc, "", "198.51.100.62")).toBe("answered");
  });

  it("counts every spelling of a key, over either transport, against one per-key budget", async () => {
    // each call from another client, so only the per-key budget can refuse
    const outcomes: string[] = [];
    let n = 0;
    const from = () => `198.51.100.${100 + n++}`;
    outcomes.push(await grpcCall(grpc, SPELLINGS[0] ?? "", from()));
    outcomes.push(
      restOutcome(
        await twin.call("validate", validateBody(SPELLINGS[1] ?? ""), {
          headers: { "x-forwarded-for": from() },
        }),
      ),
    );
    outcomes.push(await grpcCall(grpc, SPELLINGS[2] ?? "", from()));
    outcomes.push(
      restOutcome(await twin.call("validate", validateBody(KEY), { headers: { "x-forwarded-for": from() } })),
    );
    expect(outcomes).toEqual(Array<string>(4).fill("answered"));
    expect(await grpcCall(grpc, SPELLINGS[3] ?? "", from())).toBe("limited");
    const refused = await twin.call("validate", validateBody(SPELLINGS[0] ?? ""), {
      headers: { "x-forwarded-for": from() },
    });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/for this license key/);
  });
});
