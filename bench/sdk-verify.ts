// What verification costs the SDK, next to a bare node:crypto Ed25519 verify in the same run (the
// floor: one verify of the same signed bytes):
// - the offline .lic file: verifyLicenseFile per second;
// - signed answers of the licensing API (issue 12): real signed Validate answers (protobuf from
//   the sidecar's handler, JSON from the REST twin) and Heartbeat answers, recorded on the seeded
//   database for nonces drawn here, then checked the way VerifiedServer checks every answer it
//   gets (signature through AnswerKeyring, decode, binding: rpc, nonce, key hash, machine,
//   product). A client pays this once per call: one verification per heartbeat or validation.
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { Metadata, type CallContext } from "nice-grpc";
import { licenseServiceImpl } from "../grpc-gateway/license-service.ts";
import {
  HeartbeatRequest,
  SignedAnswer as ServerSignedAnswer,
  ValidateRequest,
} from "../src/generated/proto/license/v1/license.ts";
import { handleClientRestRequest } from "../src/server/licensing-api/rest.ts";
import { createLicensingServices } from "../src/server/licensing-api/licensing-services.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { createLogger } from "../src/server/logger.ts";
import {
  UntrustedAnswerError,
  VerifiedServer,
  type CallerIdentity,
  type VerifiedAnswer,
} from "../sdk/src/client/verified-server.ts";
import { GetPublicKeysResponse, SignedAnswer } from "../sdk/src/generated/proto/license/v1/license.ts";
import type { PublicKeyEntry } from "../sdk/src/grace-token.ts";
import { createLicenseFile, verifyLicenseFile, type LicenseFileContent } from "../sdk/src/offline.ts";
import {
  ANSWER_SIGNATURE_HEADER,
  AnswerKeyring,
  answerSigningInput,
  parseAnswerSignatureHeader,
  type RawSignedAnswer,
} from "../sdk/src/signed-answer.ts";
import type { Seeded } from "./lib/seed.ts";

export interface VerifyFigures {
  sdkPerSecond: number;
  rawPerSecond: number;
}

async function rate(seconds: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(i);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn(n + i);
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

export async function benchSdkVerify(seconds: number): Promise<VerifyFigures> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const now = new Date();
  const payload: LicenseFileContent = {
    id: "bench",
    issuedAt: now.toISOString(),
    notBefore: now.toISOString(),
    expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    fingerprint: "machine-1",
    license: {
      id: "lic-1",
      keyHash: "0".repeat(64),
      type: "floating",
      seats: 5,
      startsAt: now.toISOString(),
      expiresAt: null,
    },
    customer: { id: "c-1", name: "Initech" },
    product: { id: "p-1", code: "acme-cad", name: "Acme CAD" },
    entitlements: [
      { code: "export-pdf", name: "Export", kind: "boolean", unit: null, quota: null, quotaPeriod: "total" },
    ],
  };
  const text = await createLicenseFile({ payload, kid: "bench", sign: (m) => sign(null, m, privateKey) });
  const keys = [{ kid: "bench", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() }];
  const check = await verifyLicenseFile(text, keys, { fingerprint: "machine-1", now });
  if (!check.valid) throw new Error(`bench file does not verify: ${check.reason}`);
  const message = Buffer.from("x".repeat(700));
  const signature = sign(null, message, privateKey);
  const sdkPerSecond = await rate(seconds, () =>
    verifyLicenseFile(text, keys, { fingerprint: "machine-1", now }),
  );
  const rawPerSecond = await rate(seconds, () => verify(null, message, publicKey, signature));
  return { sdkPerSecond, rawPerSecond };
}

/** An answer as the SDK's transport hands it on, with the nonce its request carried. */
interface Recorded {
  raw: RawSignedAnswer;
  nonce: Uint8Array;
}

export interface RecordedAnswers {
  /** the server's keys, as GetPublicKeys gives them (and the software embeds) */
  keys: PublicKeyEntry[];
  validate: { identity: CallerIdentity; protobuf: Recorded[]; json: Recorded[] };
  heartbeat: { identity: CallerIdentity; protobuf: Recorded[] };
}

/**
 * Real signed answers from the seeded database, each for its own fresh nonce: the sidecar's
 * handler (license-service.ts: operation, encode, seal), its envelope encoded as grpc-js sends it
 * and decoded as the SDK's gRPC transport does; the REST twin's body and License-Signature header.
 */
export async function recordSignedAnswers(seeded: Seeded, count = 64): Promise<RecordedAnswers> {
  const handle = await openDatabase(seeded.target);
  const services = createLicensingServices({
    database: handle,
    encryptionKey: seeded.encryptionKey,
    logger: createLogger({ level: "silent" }),
    licensing: {
      heartbeatToleranceSeconds: 60,
      reaperIntervalSeconds: 0,
      rateLimitPerKey: 1_000_000_000,
      rateLimitPerPeer: 1_000_000_000,
    },
  });
  try {
    const impl = licenseServiceImpl(services);
    const context = { peer: "ipv4:127.0.0.1:50000", metadata: Metadata() } as unknown as CallContext;
    const overGrpc = (answer: ServerSignedAnswer): RawSignedAnswer => {
      const received = SignedAnswer.decode(ServerSignedAnswer.encode(answer).finish());
      return {
        format: "protobuf",
        bytes: received.answer,
        kid: received.kid,
        signature: received.signature,
      };
    };
    const published = overGrpc(
      ServerSignedAnswer.fromPartial(await impl.getPublicKeys({ nonce: randomBytes(16) }, context)),
    );
    const keys = GetPublicKeysResponse.decode(published.bytes).keys.map((k) => ({
      kid: k.kid,
      publicKeyPem: k.publicKeyPem,
    }));

    const licenseKey = seeded.keys[0] ?? "";
    const client = {
      productCode: seeded.productCode,
      fingerprint: "sdk-verify-bench",
      clientVersion: "1.0.0",
      hostname: "bench",
    };
    const validate: RecordedAnswers["validate"] = {
      identity: { licenseKey, fingerprint: client.fingerprint, productCode: client.productCode },
      protobuf: [],
      json: [],
    };
    const session = seeded.sessions[0];
    if (!session) throw new Error("no seeded session to heartbeat");
    const heartbeatClient = { ...client, fingerprint: session.fingerprint };
    const heartbeat: RecordedAnswers["heartbeat"] = {
      identity: {
        licenseKey: session.key,
        fingerprint: session.fingerprint,
        productCode: client.productCode,
      },
      protobuf: [],
    };
    for (let i = 0; i < count; i++) {
      const nonce = randomBytes(16);
      const answer = await impl.validate(ValidateRequest.fromPartial({ licenseKey, client, nonce }), context);
      validate.protobuf.push({ raw: overGrpc(ServerSignedAnswer.fromPartial(answer)), nonce });

      const restNonce = randomBytes(16);
      const response = await handleClientRestRequest(
        new Request("http://127.0.0.1/api/v1/client/validate", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ licenseKey, client, nonce: restNonce.toString("base64") }),
        }),
        services,
        "validate",
        "127.0.0.1",
      );
      if (!response.ok) throw new Error(`REST validate answered ${response.status}`);
      const signed = parseAnswerSignatureHeader(response.headers.get(ANSWER_SIGNATURE_HEADER));
      validate.json.push({
        raw: {
          format: "json",
          bytes: new Uint8Array(await response.arrayBuffer()),
          kid: signed?.kid ?? "",
          signature: signed?.signature ?? new Uint8Array(),
        },
        nonce: restNonce,
      });

      const beatNonce = randomBytes(16);
      const beat = await impl.heartbeat(
        HeartbeatRequest.fromPartial({
          licenseKey: session.key,
          sessionId: session.sessionId,
          client: heartbeatClient,
          nonce: beatNonce,
        }),
        context,
      );
      heartbeat.protobuf.push({ raw: overGrpc(ServerSignedAnswer.fromPartial(beat)), nonce: beatNonce });
    }
    return { keys, validate, heartbeat };
  } finally {
    await services.close();
    await handle.close();
  }
}

export interface AnswerVerifyFigures {
  /** answers verified per second, each the whole check VerifiedServer makes */
  validateProtobuf: number;
  validateJson: number;
  heartbeatProtobuf: number;
  /** the signature alone (AnswerKeyring.check) on the protobuf Validate answers */
  signatureOnly: number;
  /** bare node:crypto verify of the same signed bytes, with an imported key */
  bare: number;
  /** bytes verified: the protobuf and JSON Validate answers, the protobuf Heartbeat answer */
  bytes: { validateProtobuf: number; validateJson: number; heartbeatProtobuf: number };
}

type Verify = (
  method: "validate" | "heartbeat",
  raw: RawSignedAnswer,
  nonce: Uint8Array,
  kind: "grpc" | "rest",
) => VerifiedAnswer<"validate" | "heartbeat"> | UntrustedAnswerError;

/**
 * VerifiedServer's own check (its private verify(), the one call() runs on every answer), on the
 * recorded answers with the nonces their requests carried; call() itself would draw a fresh
 * nonce that no recorded answer can match.
 */
export async function benchAnswerVerify(
  seconds: number,
  recorded: RecordedAnswers,
): Promise<AnswerVerifyFigures> {
  const keyring = new AnswerKeyring(recorded.keys);
  const checker = (identity: CallerIdentity): Verify => {
    const server = new VerifiedServer([], keyring, identity, () => undefined);
    return (server as unknown as { verify: Verify }).verify.bind(server);
  };
  const checkValidate = checker(recorded.validate.identity);
  const checkHeartbeat = checker(recorded.heartbeat.identity);
  const cases = [
    { list: recorded.validate.protobuf, check: checkValidate, method: "validate", kind: "grpc" },
    { list: recorded.validate.json, check: checkValidate, method: "validate", kind: "rest" },
    { list: recorded.heartbeat.protobuf, check: checkHeartbeat, method: "heartbeat", kind: "grpc" },
  ] as const;
  // every recorded answer must pass, or the figures would time a refusal
  for (const { list, check, method, kind } of cases) {
    for (const r of list) {
      const result = check(method, r.raw, r.nonce, kind);
      if (result instanceof UntrustedAnswerError)
        throw new Error(`recorded ${method} answer: ${result.reason}`);
    }
  }
  const at = <T>(list: readonly T[], i: number): T => {
    const item = list[i % list.length];
    if (item === undefined) throw new Error("no recorded answers");
    return item;
  };
  const rates: number[] = [];
  for (const { list, check, method, kind } of cases) {
    rates.push(
      await rate(seconds, (i) => {
        const r = at(list, i);
        return check(method, r.raw, r.nonce, kind);
      }),
    );
  }
  const protobuf = recorded.validate.protobuf;
  const signatureOnly = await rate(seconds, (i) => keyring.check(at(protobuf, i).raw));
  const signing = recorded.keys.find((k) => k.kid === at(protobuf, 0).raw.kid);
  if (!signing) throw new Error("the answers' key is not published");
  const key = createPublicKey(signing.publicKeyPem);
  const inputs = protobuf.map((r) => ({
    input: answerSigningInput("protobuf", r.raw.bytes),
    signature: r.raw.signature,
  }));
  const bare = await rate(seconds, (i) => {
    const { input, signature } = at(inputs, i);
    return verify(null, input, key, signature);
  });
  return {
    validateProtobuf: rates[0] ?? 0,
    validateJson: rates[1] ?? 0,
    heartbeatProtobuf: rates[2] ?? 0,
    signatureOnly,
    bare,
    bytes: {
      validateProtobuf: at(protobuf, 0).raw.bytes.length,
      validateJson: at(recorded.validate.json, 0).raw.bytes.length,
      heartbeatProtobuf: at(recorded.heartbeat.protobuf, 0).raw.bytes.length,
    },
  };
}
