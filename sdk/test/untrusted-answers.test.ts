// The SDK against the attacks on the licensing protocol, on both databases: a fake gRPC server and
// a fake REST server that answer VALID (unsigned, signed by an unknown key, signed by a key posing
// as the server's), a genuine answer replayed after the license was suspended, and every
// single-byte change of a genuine signed answer. Each must decide nothing, store nothing (no grace
// token, no last result, no time) and leave the offline tiers deciding.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActivateResponse,
  LicenseServiceDefinition,
  LicenseType,
  StatusCode,
  ValidateResponse,
  type ClientInfo,
  type SignedAnswer,
} from "../../src/generated/proto/license/v1/license.ts";
import { handleClientRestRequest } from "../../src/server/licensing-api/rest.ts";
import { answerBinding } from "../../src/server/licensing-api/signed-answers.ts";
import { suspendLicense } from "../../src/server/core/licenses/suspend-license.ts";
import { checkoutLicenseFile } from "../../src/server/core/offline/checkout-license-file.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../../test/support/db.ts";
import { makeCustomer, makeGroup, makeLicense, makeProduct } from "../../test/support/fixtures.ts";
import { startLicensingServer, type LicensingServer } from "../../test/support/licensing.ts";
import { LicenseClient, type LicenseClientOptions } from "../src/client/license-client.ts";
import {
  grpcTransport,
  restTransport,
  type LicenseRequests,
  type LicenseTransport,
} from "../src/client/transport.ts";
import { UntrustedAnswerError, VerifiedServer } from "../src/client/verified-server.ts";
import type { PublicKeyEntry } from "../src/grace-token.ts";
import {
  AnswerKeyring,
  answerSigningInput,
  formatAnswerSignatureHeader,
  type RawSignedAnswer,
} from "../src/signed-answer.ts";

/** How a fake server signs: not at all, with a key of its own under its own kid, or under the real kid. */
type Forgery = "unsigned" | "unknown-key" | "posing-key";

const INVENTED = ["anything", "render-4k", "unlimited-seats"];

/** A VALID answer with invented features, bound correctly to the request: only the signature can tell. */
function fakeValid(
  rpc: "Validate" | "Activate",
  request: { nonce: Uint8Array; licenseKey: string; client?: ClientInfo },
) {
  const common = {
    status: StatusCode.STATUS_CODE_VALID,
    message: "the license is valid",
    license: {
      licenseId: "lic_fake",
      productCode: request.client?.productCode ?? "",
      type: LicenseType.LICENSE_TYPE_FLOATING,
      seatLimit: 1000,
    },
    entitlements: INVENTED.map((featureCode) => ({ featureCode, name: featureCode })),
    serverTime: new Date("2030-01-01T00:00:00Z"),
    binding: answerBinding(rpc, request),
  };
  return rpc === "Validate"
    ? ValidateResponse.encode(ValidateResponse.fromPartial(common)).finish()
    : ActivateResponse.encode(
        ActivateResponse.fromPartial({ ...common, sessionId: "sess_fake", heartbeatIntervalSeconds: 60 }),
      ).finish();
}

function forge(
  how: Forgery,
  realKid: string,
  key: KeyObject,
  format: "protobuf" | "json",
  bytes: Uint8Array,
) {
  if (how === "unsigned") return { kid: "", signature: new Uint8Array() };
  return {
    kid: how === "unknown-key" ? "fake-kid" : realKid,
    signature: sign(null, answerSigningInput(format, bytes), key),
  };
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

/** A transport that keeps what it carried, and one that answers with what was kept. */
function recording(inner: LicenseTransport) {
  const answers: RawSignedAnswer[] = [];
  const transport: LicenseTransport = {
    kind: inner.kind,
    call: async (method, request) => {
      const answer = await inner.call(method, request);
      answers.push({
        ...answer,
        bytes: Uint8Array.from(answer.bytes),
        signature: Uint8Array.from(answer.signature),
      });
      return answer;
    },
    close: () => {
      inner.close();
    },
  };
  return { transport, answers };
}

function replaying(kind: LicenseTransport["kind"], answer: () => RawSignedAnswer): LicenseTransport {
  return { kind, call: () => Promise.resolve(answer()), close: () => undefined };
}

describeEachDb("LicenseClient and answers it cannot verify", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let restUrl: string;
  let restServer: HttpServer;
  let keys: PublicKeyEntry[];
  let productCode: string;
  let newLicense: (extra?: Parameters<typeof makeLicense>[3]) => ReturnType<typeof makeLicense>;
  const dirs: string[] = [];
  const clients: LicenseClient[] = [];
  const fakes: { close(): Promise<void> }[] = [];
  const attackerKey = generateKeyPairSync("ed25519").privateKey;
  /** The genuine server over gRPC or its REST twin. */
  const realTransport = (kind: LicenseTransport["kind"]) =>
    kind === "grpc" ? grpcTransport(`127.0.0.1:${server.gateway.port}`, 2000) : restTransport(restUrl, 2000);

  const makeClient = (key: string, extra: Partial<LicenseClientOptions> = {}) => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ls-untrusted-"));
    dirs.push(cacheDir);
    const client = new LicenseClient({
      licenseKey: key,
      product: productCode,
      publicKeys: keys,
      fingerprint: `machine-${randomBytes(4).toString("hex")}`,
      cacheDir,
      now: db.clock.now,
      requestTimeoutMs: 2000,
      ...extra,
    });
    clients.push(client);
    const untrusted: string[] = [];
    client.on("untrusted-answer", (e) => untrusted.push(`${e.transport}:${e.reason}`));
    return { client, cacheDir, untrusted };
  };

  /** What the client stored: a second client on the same cache, with no server, sees only that. */
  const storedResult = async (key: string, fingerprint: string, cacheDir: string) => {
    const offline = new LicenseClient({
      licenseKey: key,
      product: productCode,
      publicKeys: keys,
      fingerprint,
      cacheDir,
      now: db.clock.now,
    });
    clients.push(offline);
    return offline.validate();
  };

  async function fakeGrpc(how: Forgery): Promise<string> {
    const realKid = keys[0]?.kid ?? "";
    const seal = (bytes: Uint8Array): SignedAnswer => ({
      answer: bytes,
      ...forge(how, realKid, attackerKey, "protobuf", bytes),
    });
    const fake: Server = createServer();
    fake.add(LicenseServiceDefinition, {
      validate: (request) => Promise.resolve(seal(fakeValid("Validate", request))),
      activate: (request) => Promise.resolve(seal(fakeValid("Activate", request))),
      heartbeat: () => Promise.reject(new Error("not faked")),
      deactivate: () => Promise.reject(new Error("not faked")),
      getEntitlements: () => Promise.reject(new Error("not faked")),
      recordUsage: () => Promise.reject(new Error("not faked")),
      getPublicKeys: () => Promise.reject(new Error("not faked")),
      startTrial: () => Promise.reject(new Error("not faked")),
    });
    const port = await fake.listen("127.0.0.1:0");
    fakes.push({ close: () => fake.shutdown() });
    return `127.0.0.1:${port}`;
  }

  async function fakeRest(how: Forgery): Promise<string> {
    const realKid = keys[0]?.kid ?? "";
    const http = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const request = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        const rpc = req.url?.endsWith("/activate") ? "Activate" : "Validate";
        const type = rpc === "Activate" ? ActivateResponse : ValidateResponse;
        const decoded = type.decode(
          fakeValid(rpc, {
            ...(request as { licenseKey: string; client?: ClientInfo }),
            nonce: Buffer.from(String(request.nonce), "base64"),
          }),
        );
        const body = JSON.stringify(type.toJSON(decoded));
        const forged = forge(how, realKid, attackerKey, "json", Buffer.from(body));
        res.writeHead(200, {
          "content-type": "application/json",
          ...(forged.kid
            ? { "license-signature": formatAnswerSignatureHeader(forged.kid, forged.signature) }
            : {}),
        });
        res.end(body);
      });
    });
    const url = await listen(http);
    fakes.push({
      close: () =>
        new Promise<void>((resolve) =>
          http.close(() => {
            resolve();
          }),
        ),
    });
    return url;
  }

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
    restServer = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const route = /^\/api\/v1\/client\/([\w-]+)$/.exec(req.url ?? "")?.[1] ?? "";
          const response = await handleClientRestRequest(
            new Request(`http://127.0.0.1${req.url ?? "/"}`, {
              method: req.method,
              body: Buffer.concat(chunks),
            }),
            server.gateway.services,
            route,
            "127.0.0.1",
          );
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        })();
      });
    });
    restUrl = await listen(restServer);
    keys = (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
    const group = await makeGroup(db);
    const { product, features } = await makeProduct(db);
    productCode = product.code;
    const customer = await makeCustomer(db, group.id);
    newLicense = (extra = {}) =>
      makeLicense(db, customer.id, product.id, {
        seatLimit: 2,
        heartbeatIntervalSeconds: 60,
        entitlements: [{ featureId: features.exportPdf.id }],
        ...extra,
      });
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const fake of fakes) await fake.close().catch(() => undefined);
    await new Promise((resolve) => restServer.close(resolve));
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe("fake servers answering VALID", () => {
    for (const how of ["unsigned", "unknown-key", "posing-key"] as const) {
      for (const transport of ["grpc", "rest"] as const) {
        it(`${transport}, ${how}: validate and start are refused, nothing is stored`, async () => {
          // a key that exists nowhere: the fake server says VALID with invented features all the same
          const key = "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ";
          const address = transport === "grpc" ? await fakeGrpc(how) : await fakeRest(how);
          const { client, cacheDir, untrusted } = makeClient(key, {
            server: transport === "grpc" ? address : { rest: address },
          });
          const validated = await client.validate();
          expect(validated).toMatchObject({ valid: false, status: "OFFLINE", tier: "none" });
          expect(client.hasFeature("anything")).toBe(false);
          const started = await client.start();
          expect(started).toMatchObject({ valid: false, status: "OFFLINE" });
          expect(client.sessionId).toBeNull();
          const reason = {
            unsigned: "UNSIGNED",
            "unknown-key": "UNKNOWN_KEY",
            "posing-key": "BAD_SIGNATURE",
          }[how];
          expect(untrusted).toEqual([`${transport}:${reason}`, `${transport}:${reason}`]);
          // no grace token, no last result and no time were kept: the fake's 2030 did not poison the clock
          expect(await storedResult(key, client.fingerprint, cacheDir)).toMatchObject({
            valid: false,
            status: "OFFLINE",
            message: "the server is unreachable and nothing offline holds",
          });
          await client.close();
        });
      }
    }

    it("with a valid .lic, the offline tier decides (with the file's features, not the fake's)", async () => {
      const license = await newLicense({ offlineAllowanceDays: 30 });
      const fingerprint = `machine-${randomBytes(4).toString("hex")}`;
      const file = await checkoutLicenseFile(db.ctx(), { id: license.id, days: 10, fingerprint });
      const { client, untrusted } = makeClient(license.key, {
        server: await fakeGrpc("posing-key"),
        fingerprint,
        licenseFile: file.content,
      });
      const result = await client.validate();
      expect(result).toMatchObject({ valid: true, tier: "license_file" });
      expect(result.entitlements.map((e) => e.featureCode)).toEqual(["export-pdf"]);
      expect(client.hasFeature("anything")).toBe(false);
      expect(untrusted).toEqual(["grpc:BAD_SIGNATURE"]);
    });

    it("an unverified answer over gRPC lets the client try the REST twin", async () => {
      const license = await newLicense({ type: "node_locked", seatLimit: 1 });
      const { client, untrusted } = makeClient(license.key, {
        server: { grpc: await fakeGrpc("unknown-key"), rest: restUrl },
      });
      expect(await client.validate()).toMatchObject({ valid: true, tier: "online" });
      expect(untrusted).toEqual(["grpc:UNKNOWN_KEY"]);
    });
  });

  describe("replayed genuine answers", () => {
    for (const kind of ["grpc", "rest"] as const) {
      it(`${kind}: a VALID answer captured before the suspension is refused after it, also 100 h later`, async () => {
        const license = await newLicense({ type: "node_locked", seatLimit: 1 });
        const fingerprint = `machine-${randomBytes(4).toString("hex")}`;
        const real = realTransport(kind);
        const recorder = recording(real);
        const first = makeClient(license.key, { transport: recorder.transport, fingerprint });
        expect(await first.client.validate()).toMatchObject({ valid: true, tier: "online" });
        const captured = recorder.answers[0];
        expect(captured).toBeDefined();

        await suspendLicense(db.ctx(), { id: license.id, reason: "unpaid" });
        // the attacker's machine: a fresh install (no cache) whose "server" replays the capture
        for (const later of [0, 100 * 3_600_000]) {
          const at = new Date(db.clock.now().getTime() + later);
          const replay = makeClient(license.key, {
            transport: replaying(kind, () => captured as RawSignedAnswer),
            fingerprint,
            now: () => at,
          });
          expect(await replay.client.validate()).toMatchObject({ valid: false, tier: "none" });
          expect(await replay.client.start()).toMatchObject({ valid: false });
          // validate: the nonce does not fit; start (and its reconnect attempts): a Validate answer
          // is not an Activate answer (it does not decode as one, or names another RPC or nonce)
          expect(replay.untrusted[0]).toBe(`${kind}:NONCE_MISMATCH`);
          expect(replay.untrusted.slice(1)).not.toHaveLength(0);
          for (const reason of replay.untrusted.slice(1))
            expect(reason).toMatch(/:(WRONG_RPC|NONCE_MISMATCH|MALFORMED)$/);
          await replay.client.close();
          expect(await storedResult(license.key, fingerprint, replay.cacheDir)).toMatchObject({
            valid: false,
            status: "OFFLINE",
          });
        }
        // and the real server, asked afresh, says SUSPENDED (and the client drops its grace token)
        const honest = makeClient(license.key, { transport: real, fingerprint });
        expect(await honest.client.validate()).toMatchObject({
          valid: false,
          status: "SUSPENDED",
          tier: "online",
        });
      });
    }

    it("an answer for another machine or another product does not fit", async () => {
      const license = await newLicense({ type: "node_locked", seatLimit: 3 });
      const real = grpcTransport(`127.0.0.1:${server.gateway.port}`, 2000);
      // the attacker forwards the client's nonce but asks the server about another machine
      const rewriting = (field: "fingerprint" | "productCode", value: string): LicenseTransport => ({
        kind: "grpc",
        call: (method, request) => {
          const r = request as LicenseRequests["validate"];
          const client = r.client ? { ...r.client, [field]: value } : r.client;
          return real.call("validate", { ...r, client });
        },
        close: () => undefined,
      });
      const otherMachine = makeClient(license.key, {
        transport: rewriting("fingerprint", "machine-bought-once"),
      });
      expect(await otherMachine.client.validate()).toMatchObject({ valid: false });
      expect(otherMachine.untrusted).toEqual(["grpc:FINGERPRINT_MISMATCH"]);
      const otherProduct = makeClient(license.key, { transport: rewriting("productCode", "other-product") });
      expect(await otherProduct.client.validate()).toMatchObject({ valid: false });
      expect(otherProduct.untrusted).toEqual(["grpc:PRODUCT_MISMATCH"]);
      real.close();
    });
  });

  describe("every single-byte change of a signed answer is refused", () => {
    for (const kind of ["grpc", "rest"] as const) {
      it(`${kind}: each byte of the answer and of the signature, changed, is untrusted`, async () => {
        const license = await newLicense({ type: "node_locked", seatLimit: 1 });
        const fingerprint = `machine-${randomBytes(4).toString("hex")}`;
        const real = realTransport(kind);
        let change: ((answer: RawSignedAnswer) => RawSignedAnswer) | null = null;
        const transport: LicenseTransport = {
          kind,
          call: async (method, request) => {
            const answer = await real.call(method, request);
            return change ? change(answer) : answer;
          },
          close: () => undefined,
        };
        const reasons: string[] = [];
        const verified = new VerifiedServer(
          [transport],
          new AnswerKeyring(keys),
          { licenseKey: license.key, fingerprint, productCode },
          (e) => reasons.push(e.reason),
        );
        const request = {
          licenseKey: license.key,
          client: { productCode, fingerprint, clientVersion: "", hostname: "", components: [] },
        };
        const genuine = await verified.call("validate", request);
        expect(genuine.answer.status).toBe(StatusCode.STATUS_CODE_VALID);

        const sample = await real.call("validate", { ...request, nonce: randomBytes(16) });
        let refused = 0;
        for (const part of ["bytes", "signature"] as const) {
          for (let i = 0; i < sample[part].length; i++) {
            // one changed bit per byte of the answer; two changes per byte of the signature
            for (const mask of part === "bytes" ? [0x01] : [0x01, 0xff]) {
              change = (answer) => {
                const copy = Uint8Array.from(answer[part]);
                copy[i] = (copy[i] ?? 0) ^ mask;
                return { ...answer, [part]: copy };
              };
              await expect(verified.call("validate", request)).rejects.toBeInstanceOf(UntrustedAnswerError);
              refused += 1;
            }
          }
        }
        change = null;
        expect(refused).toBe(sample.bytes.length + sample.signature.length * 2);
        expect(reasons).toHaveLength(refused);
        expect(new Set(reasons)).toEqual(new Set(["BAD_SIGNATURE"]));
        // and the untouched answer still verifies after all that
        expect((await verified.call("validate", request)).answer.status).toBe(StatusCode.STATUS_CODE_VALID);
        real.close();
      }, 120_000);
    }
  });
});
