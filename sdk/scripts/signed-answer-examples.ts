// The test vectors of sdk/docs/signed-answers-v1.md: signed answers of the licensing API made with
// the server's own binding and sealing functions (src/server/licensing-api/signed-answers.ts), the
// generated contract code and a fixed test key, so they come out the same byte for byte on every
// run (Ed25519 signatures are deterministic). `npx tsx sdk/scripts/signed-answer-examples.ts
// --write` rewrites the vectors section of the spec; without --write it prints it. A test
// (test/unit/signed-answers.test.ts) fails when the spec and this script disagree.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  FeatureKind,
  GetPublicKeysResponse,
  HeartbeatResponse,
  LicenseType,
  QuotaPeriod,
  SignedAnswer,
  StatusCode,
  ValidateResponse,
} from "../../src/generated/proto/license/v1/license.ts";
import { answerBinding, sealJson, sealProtobuf } from "../../src/server/licensing-api/signed-answers.ts";
import { keyId } from "../../src/server/crypto/ed25519.ts";
import { issueGraceToken } from "../../src/server/core/validation/grace-token.ts";
import type { Signer } from "../../src/server/core/signing-keys/active-signer.ts";
import { normalizeLicenseKey } from "../src/license-key.ts";
import { ANSWER_SIGNING_CONTEXT, formatAnswerSignatureHeader } from "../src/signed-answer.ts";

export const SPEC_PATH = fileURLToPath(new URL("../docs/signed-answers-v1.md", import.meta.url));
export const VECTORS_START = "<!-- signed-answer-vectors:start -->";
export const VECTORS_END = "<!-- signed-answer-vectors:end -->";

/** The secret key of RFC 8032 section 7.1, TEST 1: published, never trust it in real software. */
export const TEST_SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";
const TEST_PRIVATE_KEY = createPrivateKey({
  key: Buffer.from(PKCS8_ED25519_PREFIX + TEST_SEED_HEX, "hex"),
  format: "der",
  type: "pkcs8",
});
const TEST_PUBLIC_KEY = createPublicKey(TEST_PRIVATE_KEY);
export const TEST_PUBLIC_KEY_PEM = TEST_PUBLIC_KEY.export({ type: "spki", format: "pem" }).toString();
export const TEST_KID = keyId(TEST_PUBLIC_KEY);
const SIGNER: Signer = { kid: TEST_KID, privateKey: TEST_PRIVATE_KEY };

/** The request every vector answers, unless the vector says otherwise. */
export const TEST_NONCE_HEX = "8f3a5c0e71d24b96a1e0c7f35b2d9e64";
/** the key as the customer typed it: the binding hashes its canonical form */
export const TEST_LICENSE_KEY_TYPED = "7k3qd m9xwb oa1zz ttttt ooooo";
export const TEST_FINGERPRINT = "host-7f3a";
export const TEST_PRODUCT = "acme-cad";
const SERVER_TIME = new Date("2026-01-15T09:30:00.000Z");
const LICENSE_ID = "0198f3a2-5c1e-7b40-9d2a-6e4f1c8b7a01";
const LICENSE_EXPIRES = new Date("2027-12-31T00:00:00.000Z");

export type VectorFormat = "protobuf" | "json";

/** What the verifier sent, and so what the answer must be bound to. */
export interface VectorRequest {
  rpc: string;
  nonceHex: string;
  /** the license key as the request carried it; "" for GetPublicKeys */
  licenseKey: string;
  fingerprint: string;
  productCode: string;
}

export interface Vector {
  id: string;
  title: string;
  /** why the vector exists (Markdown) */
  text: string;
  format: VectorFormat;
  request: VectorRequest;
  /** protobuf: the `answer` bytes; json: the body's UTF-8 bytes */
  bytes: Buffer;
  /** protobuf: the envelope's kid and signature; json: the header value (null: no header) */
  kid: string;
  signature: Buffer;
  header: string | null;
  expected: string;
  /** positive vectors: every intermediate value is printed */
  detailed: boolean;
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

function requestFor(rpc: string, extra: Partial<VectorRequest> = {}): VectorRequest {
  return {
    rpc,
    nonceHex: TEST_NONCE_HEX,
    licenseKey: TEST_LICENSE_KEY_TYPED,
    fingerprint: TEST_FINGERPRINT,
    productCode: TEST_PRODUCT,
    ...extra,
  };
}

/** The binding the server gives an answer to this request (its own function). */
function bindingOf(request: VectorRequest) {
  const licensed = request.rpc !== "GetPublicKeys";
  return answerBinding(request.rpc, {
    nonce: Buffer.from(request.nonceHex, "hex"),
    ...(licensed
      ? {
          licenseKey: request.licenseKey,
          client: {
            productCode: request.productCode,
            fingerprint: request.fingerprint,
            clientVersion: "2.4.1",
            hostname: "cad-workstation-7",
            components: [],
          },
        }
      : {}),
  });
}

/** A VALID Validate answer as the server writes it, with a real grace token, bound to `boundTo`. */
function validateResponse(boundTo: VectorRequest): ValidateResponse {
  const canonical = normalizeLicenseKey(boundTo.licenseKey) ?? boundTo.licenseKey;
  const grace = issueGraceToken(SIGNER, {
    licenseId: LICENSE_ID,
    licenseKey: canonical,
    fingerprint: boundTo.fingerprint,
    productCode: boundTo.productCode,
    featureCodes: ["api-calls", "export-pdf"],
    licenseExpiresAt: LICENSE_EXPIRES,
    gracePeriodHours: 72,
    checkInIntervalDays: null,
    now: SERVER_TIME,
  });
  return ValidateResponse.fromPartial({
    status: StatusCode.STATUS_CODE_VALID,
    message: "the license is valid",
    license: {
      licenseId: LICENSE_ID,
      productCode: boundTo.productCode,
      customerName: "Initech",
      type: LicenseType.LICENSE_TYPE_FLOATING,
      seatLimit: 5,
      startsAt: new Date("2026-01-01T00:00:00.000Z"),
      expiresAt: LICENSE_EXPIRES,
      heartbeatIntervalSeconds: 300,
      gracePeriodHours: 72,
      offlineAllowanceDays: 30,
    },
    entitlements: [
      {
        featureCode: "api-calls",
        name: "API calls",
        kind: FeatureKind.FEATURE_KIND_METERED,
        unit: "calls",
        quota: 10000,
        quotaPeriod: QuotaPeriod.QUOTA_PERIOD_MONTH,
        used: 1234,
      },
      {
        featureCode: "export-pdf",
        name: "Export to PDF",
        kind: FeatureKind.FEATURE_KIND_BOOLEAN,
        quotaPeriod: QuotaPeriod.QUOTA_PERIOD_TOTAL,
      },
    ],
    serverTime: SERVER_TIME,
    graceToken: grace.token,
    graceTokenExpiresAt: grace.expiresAt,
    binding: bindingOf(boundTo),
  });
}

const encodeValidate = (boundTo: VectorRequest) =>
  Buffer.from(ValidateResponse.encode(validateResponse(boundTo)).finish());
/** the REST twin's body: JSON.stringify of the proto3 JSON mapping, as rest.ts sends it */
const jsonValidate = (boundTo: VectorRequest) =>
  JSON.stringify(ValidateResponse.toJSON(validateResponse(boundTo)));

function protobufVector(
  base: Omit<Vector, "format" | "bytes" | "kid" | "signature" | "header" | "detailed">,
  bytes: Buffer,
  seal: { kid?: string; signature?: Buffer } = {},
  detailed = false,
): Vector {
  const sealed = sealProtobuf(SIGNER, bytes);
  return {
    ...base,
    format: "protobuf",
    bytes,
    kid: seal.kid ?? sealed.kid,
    signature: seal.signature ?? Buffer.from(sealed.signature),
    header: null,
    detailed,
  };
}

function jsonVector(
  base: Omit<Vector, "format" | "bytes" | "kid" | "signature" | "header" | "detailed">,
  body: string,
  header: string | null = sealJson(SIGNER, body).signature,
  detailed = false,
): Vector {
  return {
    ...base,
    format: "json",
    bytes: Buffer.from(body, "utf8"),
    kid: "",
    signature: Buffer.alloc(0),
    header,
    detailed,
  };
}

/** Ed25519 over a context string that is not the one for this format (cross-format confusion). */
const signWithContext = (context: string, bytes: Uint8Array) =>
  sign(null, Buffer.concat([Buffer.from(context, "ascii"), bytes]), TEST_PRIVATE_KEY);

export function signedAnswerVectors(): Vector[] {
  const validate = requestFor("Validate");
  const answer = encodeValidate(validate);
  const body = jsonValidate(validate);
  const otherNonce = "00112233445566778899aabbccddeeff";

  // a MITM changes the status byte: VALID (1) becomes REVOKED (5)
  const flipped = Buffer.from(answer);
  if (flipped[0] !== 0x08 || flipped[1] !== StatusCode.STATUS_CODE_VALID)
    throw new Error("unexpected layout");
  flipped[1] = StatusCode.STATUS_CODE_REVOKED;

  // the MITM's swap: the client asked to Deactivate, the relay asked the server to Heartbeat
  // with the client's nonce (keeping the seat) and hands back the genuine Heartbeat answer
  const deactivate = requestFor("Deactivate");
  const heartbeat = Buffer.from(
    HeartbeatResponse.encode(
      HeartbeatResponse.fromPartial({
        status: StatusCode.STATUS_CODE_VALID,
        message: "heartbeat accepted",
        heartbeatDeadline: new Date(SERVER_TIME.getTime() + 300_000),
        serverTime: SERVER_TIME,
        binding: bindingOf({ ...deactivate, rpc: "Heartbeat" }),
      }),
    ).finish(),
  );

  const keysRequest = requestFor("GetPublicKeys", { licenseKey: "", fingerprint: "", productCode: "" });
  const keys = Buffer.from(
    GetPublicKeysResponse.encode(
      GetPublicKeysResponse.fromPartial({
        keys: [{ kid: TEST_KID, algorithm: "Ed25519", publicKeyPem: TEST_PUBLIC_KEY_PEM, active: true }],
        serverTime: SERVER_TIME,
        binding: bindingOf(keysRequest),
      }),
    ).finish(),
  );

  const bodyHeader = sealJson(SIGNER, body).signature;
  return [
    protobufVector(
      {
        id: "V1",
        title: "Validate over gRPC",
        text: "A VALID answer with a grace token, exactly as the server seals it.",
        request: validate,
        expected: "VALID",
      },
      answer,
      {},
      true,
    ),
    jsonVector(
      {
        id: "V2",
        title: "Validate over the REST twin",
        text: "The same answer as the body of `POST /api/v1/client/validate` (HTTP 200).",
        request: validate,
        expected: "VALID",
      },
      body,
      bodyHeader,
      true,
    ),
    protobufVector(
      {
        id: "V3",
        title: "GetPublicKeys over gRPC",
        text: "An RPC that names no license: the binding's key hash, fingerprint and product are empty (and absent from the encoding).",
        request: keysRequest,
        expected: "VALID",
      },
      keys,
      {},
      true,
    ),
    protobufVector(
      {
        id: "N1",
        title: "one changed byte in the answer",
        text: "V1 with byte 1 (the status) changed from `0x01` (VALID) to `0x05` (REVOKED), the signature kept.",
        request: validate,
        expected: "BAD_SIGNATURE",
      },
      flipped,
      { signature: Buffer.from(sealProtobuf(SIGNER, answer).signature) },
    ),
    protobufVector(
      {
        id: "N2",
        title: "a genuine answer to another request (wrong nonce)",
        text: `Correctly signed, but bound to the nonce \`${otherNonce}\`: a replayed answer.`,
        request: validate,
        expected: "NONCE_MISMATCH",
      },
      encodeValidate({ ...validate, nonceHex: otherNonce }),
    ),
    protobufVector(
      {
        id: "N3",
        title: "an unknown key id",
        text: "V1's answer and signature with the envelope's kid changed to `0000000000000000`, which the keyring does not hold.",
        request: validate,
        expected: "UNKNOWN_KEY",
      },
      answer,
      { kid: "0000000000000000" },
    ),
    protobufVector(
      {
        id: "N4",
        title: "the wrong context string",
        text: "V1's answer signed by the right key over `license.v1.answer/json\\n` ‖ answer instead of the protobuf context.",
        request: validate,
        expected: "BAD_SIGNATURE",
      },
      answer,
      { signature: signWithContext(ANSWER_SIGNING_CONTEXT.json, answer) },
    ),
    jsonVector(
      {
        id: "N5",
        title: "a JSON body signed with the protobuf context",
        text: "V2's body with a header whose signature covers `license.v1.answer/protobuf\\n` ‖ body.",
        request: validate,
        expected: "BAD_SIGNATURE",
      },
      body,
      formatAnswerSignatureHeader(
        TEST_KID,
        signWithContext(ANSWER_SIGNING_CONTEXT.protobuf, Buffer.from(body)),
      ),
    ),
    jsonVector(
      {
        id: "N6",
        title: "a re-encoded body",
        text: "V2's body parsed and serialized again with two-space indentation (the same JSON value), V2's header kept: signatures cover bytes, not values.",
        request: validate,
        expected: "BAD_SIGNATURE",
      },
      JSON.stringify(JSON.parse(body), null, 2),
      bodyHeader,
    ),
    jsonVector(
      {
        id: "N7",
        title: "no signature",
        text: "V2's body with no `License-Signature` header (what a fake server or a stripping proxy sends).",
        request: validate,
        expected: "UNSIGNED",
      },
      body,
      null,
    ),
    protobufVector(
      {
        id: "N8",
        title: "an answer for another machine",
        text: "Correctly signed and bound to this nonce, but to the fingerprint `host-0000` (the request relayed from another machine).",
        request: validate,
        expected: "FINGERPRINT_MISMATCH",
      },
      encodeValidate({ ...validate, fingerprint: "host-0000" }),
    ),
    protobufVector(
      {
        id: "N9",
        title: "an answer for another license key",
        text: "Correctly signed and bound to this nonce, but to the key `7K3QD-M9XWB-0A1ZZ-TTTTT-00001`.",
        request: validate,
        expected: "LICENSE_MISMATCH",
      },
      encodeValidate({ ...validate, licenseKey: "7K3QD-M9XWB-0A1ZZ-TTTTT-00001" }),
    ),
    protobufVector(
      {
        id: "N10",
        title: "an answer for another product",
        text: "Correctly signed and bound to this nonce, but to the product `acme-viewer`.",
        request: validate,
        expected: "PRODUCT_MISMATCH",
      },
      encodeValidate({ ...validate, productCode: "acme-viewer" }),
    ),
    protobufVector(
      {
        id: "N11",
        title: "the answer of another RPC",
        text: "The client sent Deactivate with the nonce above; a relay sent Heartbeat with the same nonce instead (keeping the seat taken) and returns the server's genuine HeartbeatResponse. It decodes as a DeactivateResponse (its field 3, the heartbeat deadline, reads as `server_time`), but its binding names `Heartbeat`. (The grace token of a real Heartbeat answer is left out.)",
        request: deactivate,
        expected: "WRONG_RPC",
      },
      heartbeat,
    ),
  ];
}

/** The top-level fields of each answer message, and of AnswerBinding, by number (for the walk). */
const FIELD_NAMES: Record<string, Record<number, string>> = {
  Validate: {
    1: "status",
    2: "message",
    3: "license",
    4: "entitlements",
    5: "server_time",
    6: "grace_token",
    7: "grace_token_expires_at",
    15: "binding",
  },
  GetPublicKeys: { 1: "keys", 2: "server_time", 15: "binding" },
  AnswerBinding: { 1: "rpc", 2: "nonce", 3: "license_key_hash", 4: "fingerprint", 5: "product_code" },
};

/** The answer's protobuf records, one line each: offset, tag and length bytes, field, value. */
function fieldWalk(bytes: Uint8Array, names: Record<number, string>, base = 0, indent = ""): string[] {
  const reader = new BinaryReader(bytes);
  const lines: string[] = [];
  const inBinding = names === FIELD_NAMES.AnswerBinding;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [field, wireType] = reader.tag();
    const name = names[field] ?? "?";
    const tagEnd = reader.pos;
    const skipped = reader.skip(wireType);
    const at = `${indent}offset ${base + start}: `;
    if (wireType !== WireType.LengthDelimited) {
      const tag = Buffer.from(bytes.subarray(start, tagEnd)).toString("hex");
      const value = new BinaryReader(skipped).uint64().toString();
      lines.push(`${at}${tag} = field ${field} (${name}), varint ${value}`);
      continue;
    }
    // skip() hands back what follows the tag: the length varint, then the content
    const inner = new BinaryReader(skipped);
    const length = inner.uint32();
    const content = skipped.subarray(inner.pos);
    const head = Buffer.from(bytes.subarray(start, reader.pos - content.length)).toString("hex");
    let value = `${length} bytes`;
    if (inBinding && field === 2) value += `: ${Buffer.from(content).toString("hex")}`;
    else if (inBinding || name === "message") value += `: "${Buffer.from(content).toString("utf8")}"`;
    if (name === "server_time") {
      const time = new BinaryReader(content);
      let seconds = "0";
      while (time.pos < time.len) {
        const [timeField, timeWire] = time.tag();
        if (timeField === 1) seconds = time.uint64().toString();
        else time.skip(timeWire);
      }
      value += `: seconds = ${seconds} (${new Date(Number(seconds) * 1000).toISOString()}), no nanos`;
    }
    lines.push(`${at}${head} = field ${field} (${name}), ${value}`);
    if (name === "binding") {
      lines.push(
        ...fieldWalk(content, FIELD_NAMES.AnswerBinding ?? {}, base + start + head.length / 2, `${indent}  `),
      );
    }
  }
  return lines;
}

// --- Markdown ------------------------------------------------------------------------------------

const wrap = (text: string, width = 64) => text.match(new RegExp(`.{1,${width}}`, "g"))?.join("\n") ?? "";

function block(label: string, content: string): string[] {
  return ["", `${label}:`, "", "```text", content, "```"];
}

function requestBlock(request: VectorRequest): string {
  if (request.rpc === "GetPublicKeys")
    return [`rpc: ${request.rpc}`, `nonce: ${request.nonceHex}`].join("\n");
  const canonical = normalizeLicenseKey(request.licenseKey) ?? request.licenseKey;
  return [
    `rpc: ${request.rpc}`,
    `nonce: ${request.nonceHex}`,
    `license key: ${request.licenseKey}`,
    `canonical key: ${canonical}`,
    `license key hash: ${sha256Hex(canonical)}`,
    `fingerprint: ${request.fingerprint}`,
    `product code: ${request.productCode}`,
  ].join("\n");
}

function renderVector(vector: Vector): string[] {
  const out = [
    "",
    `### ${vector.id}. ${vector.title}`,
    "",
    vector.text,
    "",
    `Expected result: \`${vector.expected}\``,
  ];
  out.push(...block("Verify as the answer to", requestBlock(vector.request)));
  if (vector.format === "protobuf") {
    if (vector.detailed) {
      out.push(...block("answer (hex)", wrap(vector.bytes.toString("hex"))));
      const names = FIELD_NAMES[vector.request.rpc] ?? {};
      out.push(
        ...block(
          "answer, record by record (offsets in bytes; tag and length in hex)",
          fieldWalk(vector.bytes, names).join("\n"),
        ),
      );
    }
    out.push(...block("answer (base64)", wrap(vector.bytes.toString("base64"))));
    out.push(...block("kid", vector.kid));
    out.push(...block("signature (base64)", vector.signature.toString("base64")));
    if (vector.detailed) {
      out.push(...block("signature (hex)", wrap(vector.signature.toString("hex"))));
      const input = Buffer.concat([Buffer.from(ANSWER_SIGNING_CONTEXT.protobuf, "ascii"), vector.bytes]);
      out.push(...block("signing input (hex)", wrap(input.toString("hex"))));
      const envelope = SignedAnswer.encode({
        answer: vector.bytes,
        kid: vector.kid,
        signature: vector.signature,
      }).finish();
      out.push(...block("SignedAnswer as on the wire (hex)", wrap(Buffer.from(envelope).toString("hex"))));
    }
  } else {
    out.push(...block("body (UTF-8, exactly as sent)", vector.bytes.toString("utf8")));
    out.push(...block("License-Signature", vector.header ?? "(absent)"));
    if (vector.detailed) {
      const prefix = Buffer.from(ANSWER_SIGNING_CONTEXT.json, "ascii");
      out.push(
        ...block(
          "signing input",
          `${prefix.toString("hex")} (the context) followed by the ${vector.bytes.length} body bytes`,
        ),
      );
      out.push(
        ...block(
          "SHA-256 of the signing input (hex)",
          createHash("sha256")
            .update(Buffer.concat([prefix, vector.bytes]))
            .digest("hex"),
        ),
      );
    }
  }
  return out;
}

/** The vectors section of the spec, in Markdown. */
export function renderVectors(): string {
  const canonical = normalizeLicenseKey(TEST_LICENSE_KEY_TYPED) ?? "";
  const out: string[] = [
    VECTORS_START,
    "",
    "Generated by `sdk/scripts/signed-answer-examples.ts` with the server's own binding and sealing",
    "functions; `test/unit/signed-answers.test.ts` checks that this section is what the script makes,",
    "that an independent verifier gets each expected result, and that the SDK agrees. The key is the",
    "published test key of RFC 8032 (section 7.1, TEST 1): never put it in a real keyring.",
    "",
    `Key id: \`${TEST_KID}\` (the first 16 hex digits of SHA-256 over the 32-byte public key).`,
    ...block("Private key (the 32-byte seed, hex)", TEST_SEED_HEX),
    ...block(
      "Public key (raw, hex)",
      Buffer.from(TEST_PUBLIC_KEY.export({ format: "jwk" }).x ?? "", "base64url").toString("hex"),
    ),
    ...block("Public key (SPKI PEM)", TEST_PUBLIC_KEY_PEM.trimEnd()),
    "",
    "Unless a vector says otherwise, it answers a Validate request with",
    "",
    `- the nonce \`${TEST_NONCE_HEX}\` (16 bytes; base64 \`${Buffer.from(TEST_NONCE_HEX, "hex").toString("base64")}\`),`,
    `- the license key typed as \`${TEST_LICENSE_KEY_TYPED}\`: canonical \`${canonical}\`, whose`,
    `  SHA-256 is \`${sha256Hex(canonical)}\`,`,
    `- \`client.fingerprint\` = \`${TEST_FINGERPRINT}\` and \`client.product_code\` = \`${TEST_PRODUCT}\`.`,
    "",
    `The server time is \`${SERVER_TIME.toISOString()}\`. The grace token in V1 and V2 is signed by the same key`,
    "for that key hash, machine and product, and expires at `graceTokenExpiresAt`.",
  ];
  for (const vector of signedAnswerVectors()) out.push(...renderVector(vector));
  out.push("", VECTORS_END);
  return out.join("\n");
}

/** The spec's text with its vectors section replaced. */
export function withVectors(spec: string, section: string): string {
  const start = spec.indexOf(VECTORS_START);
  const end = spec.indexOf(VECTORS_END);
  if (start < 0 || end < start) throw new Error(`${SPEC_PATH}: no vectors section markers`);
  return spec.slice(0, start) + section + spec.slice(end + VECTORS_END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const section = renderVectors();
  if (process.argv.includes("--write")) {
    writeFileSync(SPEC_PATH, withVectors(readFileSync(SPEC_PATH, "utf8"), section));
    console.log(`updated ${SPEC_PATH}`);
  } else {
    console.log(section);
  }
}
