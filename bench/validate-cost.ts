// Where a Validate's server time goes: the layers of the call timed in this process, one call at a
// time on the seeded database (no network, no load generator sharing the cores). With signed
// answers (issue 12) it also times, per call, what the sidecar and the REST twin add to sign an
// answer: the seal (the Ed25519 signature over the encoded answer) and the envelope's encoding,
// so their share of the call is known without an off switch in the product.
import { randomBytes } from "node:crypto";
import {
  SignedAnswer,
  ValidateRequest,
  type ValidateResponse,
} from "../src/generated/proto/license/v1/license.ts";
import { clientOperations } from "../src/server/licensing-api/operations.ts";
import {
  clientContext,
  createLicensingServices,
  runClientOperation,
} from "../src/server/licensing-api/licensing-services.ts";
import { answerBinding, sealJson, sealProtobuf } from "../src/server/licensing-api/signed-answers.ts";
import { issueGraceToken } from "../src/server/core/validation/grace-token.ts";
import { validateLicense } from "../src/server/core/validation/validate-license.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { createLogger } from "../src/server/logger.ts";
import type { Seeded } from "./lib/seed.ts";

export interface ValidateCost {
  /** µs per call, each layer including the ones above it in this list */
  read: number;
  sign: number;
  domain: number;
  operation: number;
  wire: number;
  /** signed answers, µs per call: the binding (sha256 of the key; inside `operation`) */
  binding: number;
  /** the answer's protobuf encoding alone */
  encode: number;
  /** sealProtobuf: the Ed25519 signature over the encoded answer (with the cached signer) */
  seal: number;
  /** the SignedAnswer envelope's encoding (what grpc-js sends) */
  envelope: number;
  /** decode + operation + encode + seal + envelope: the sidecar's Validate as shipped */
  wireSigned: number;
  /** the REST twin: toJSON + stringify, then sealJson over the body */
  json: number;
  sealJson: number;
  /** the answer's sizes: encoded, in its envelope, and the REST body */
  bytes: { answer: number; envelope: number; json: number };
}

/** The list's element at i (cycling); the lists here are never empty. */
function at<T>(list: readonly T[], i: number): T {
  const item = list[i % list.length];
  if (item === undefined) throw new Error("empty list");
  return item;
}

/** µs per call of a and of b, timed in 8 alternating blocks, each the median of its blocks. */
async function alternating(
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  calls: number,
): Promise<{ unsigned: number; signed: number }> {
  const block = Math.ceil(calls / 8);
  const times: { unsigned: number[]; signed: number[] } = { unsigned: [], signed: [] };
  for (let i = 0; i < 2000; i++) {
    await a(i);
    await b(i);
  }
  for (let round = 0; round < 8; round++) {
    for (const [name, work] of round % 2 === 0
      ? ([
          ["unsigned", a],
          ["signed", b],
        ] as const)
      : ([
          ["signed", b],
          ["unsigned", a],
        ] as const)) {
      const started = performance.now();
      for (let i = 0; i < block; i++) await work(round * block + i);
      times[name].push(((performance.now() - started) * 1000) / block);
    }
  }
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] ?? 0;
  return { unsigned: median(times.unsigned), signed: median(times.signed) };
}

export async function benchValidateCost(seeded: Seeded, calls = 20_000): Promise<ValidateCost> {
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
    const keys = seeded.keys.slice(0, 20_000);
    const key = (i: number) => keys[i % keys.length] ?? "";
    const client = (i: number) => ({
      productCode: seeded.productCode,
      fingerprint: `cost-${i}`,
      clientVersion: "1.0.0",
      hostname: "bench",
    });
    // a fresh nonce per request, as clients send them (drawing it is the client's cost, not timed)
    const nonces = Array.from({ length: 4096 }, () => randomBytes(16));
    const nonce = (i: number) => nonces[i % nonces.length] ?? Buffer.alloc(16);
    const request = (i: number) =>
      ValidateRequest.fromPartial({ licenseKey: key(i), client: client(i), nonce: nonce(i) });
    const perCall = async (work: (i: number) => unknown): Promise<number> => {
      for (let i = 0; i < 2000; i++) await work(i); // warm-up: JIT, statement caches
      const started = performance.now();
      for (let i = 0; i < calls; i++) await work(i);
      return ((performance.now() - started) * 1000) / calls;
    };
    const now = new Date();
    const signer = await services.signer();
    const ctx = clientContext(services, "127.0.0.1");
    const op = clientOperations.validate;
    // real answers to sign: what the operation returned for distinct keys and machines
    const answers: ValidateResponse[] = [];
    for (let i = 0; i < 1000; i++)
      answers.push(await runClientOperation(services, op, request(i), "127.0.0.1"));
    const encoded = answers.map((a) => op.response.encode(a).finish());
    const sealed = encoded.map((bytes) => sealProtobuf(signer, bytes));
    const jsonBodies = answers.map((a) => JSON.stringify(op.response.toJSON(a)));
    const bindable = Array.from({ length: 4096 }, (_, i) => request(i));
    // the whole call unsigned and signed, in alternating blocks (median of each): run one after the
    // other, minutes apart, they differed by more than the seal costs
    const unsignedCall = async (i: number) => {
      const body = ValidateRequest.encode(request(i)).finish();
      const response = await runClientOperation(services, op, op.request.decode(body), "127.0.0.1");
      return op.response.encode(response).finish();
    };
    const signedCall = async (i: number) => {
      const body = ValidateRequest.encode(request(i)).finish();
      const response = await runClientOperation(services, op, op.request.decode(body), "127.0.0.1");
      const envelope = sealProtobuf(await services.signer(), op.response.encode(response).finish());
      return SignedAnswer.encode(envelope).finish();
    };
    const paired = await alternating(unsignedCall, signedCall, calls);
    return {
      read: await perCall((i) => handle.reads.licenseByKey(key(i), now)),
      sign: await perCall((i) =>
        issueGraceToken(signer, {
          licenseId: "cost",
          licenseKey: key(i),
          fingerprint: `cost-${i}`,
          productCode: seeded.productCode,
          featureCodes: ["a", "b"],
          licenseExpiresAt: null,
          gracePeriodHours: 72,
          checkInIntervalDays: null,
          now,
        }),
      ),
      domain: await perCall((i) => validateLicense(ctx, { licenseKey: key(i), client: client(i) })),
      operation: await perCall((i) => runClientOperation(services, op, request(i), "127.0.0.1")),
      wire: paired.unsigned,
      binding: await perCall((i) => answerBinding("Validate", at(bindable, i))),
      encode: await perCall((i) => op.response.encode(at(answers, i)).finish()),
      // as license-service.ts does it: the cached signer awaited per call, then the seal
      seal: await perCall(async (i) => sealProtobuf(await services.signer(), at(encoded, i))),
      envelope: await perCall((i) => SignedAnswer.encode(at(sealed, i)).finish()),
      wireSigned: paired.signed,
      json: await perCall((i) => JSON.stringify(op.response.toJSON(at(answers, i)))),
      sealJson: await perCall(async (i) => sealJson(await services.signer(), at(jsonBodies, i))),
      bytes: {
        answer: at(encoded, 0).length,
        envelope: SignedAnswer.encode(at(sealed, 0)).finish().length,
        json: Buffer.byteLength(at(jsonBodies, 0)),
      },
    };
  } finally {
    await services.close();
    await handle.close();
  }
}
