// Signed answers of the licensing API (sdk/docs/signed-answers-v1.md): the spec's test vectors are
// what the generator makes today; an independent verifier written here from the spec — node:crypto
// only, its own context strings, header parser, canonical key and protobuf walker, no SDK or server
// code — gets each vector's expected result; and the SDK agrees with it on every single-byte change.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AnswerKeyring, parseAnswerSignatureHeader } from "../../sdk/src/signed-answer.ts";
import { LICENSE_RPCS, type LicenseRpc } from "../../sdk/src/client/transport.ts";
import {
  renderVectors,
  SPEC_PATH,
  TEST_KID,
  VECTORS_END,
  VECTORS_START,
} from "../../sdk/scripts/signed-answer-examples.ts";

// --- the independent verifier (written from the spec alone) ------------------------------------

type Result =
  | "VALID"
  | "UNSIGNED"
  | "UNKNOWN_KEY"
  | "BAD_SIGNATURE"
  | "MALFORMED"
  | "WRONG_RPC"
  | "NONCE_MISMATCH"
  | "LICENSE_MISMATCH"
  | "FINGERPRINT_MISMATCH"
  | "PRODUCT_MISMATCH";

/** section 4 */
const CONTEXT = { protobuf: "license.v1.answer/protobuf\n", json: "license.v1.answer/json\n" };
/** section 3.1: the number of `server_time` in each RPC's response message */
const SERVER_TIME_FIELD: Record<string, number> = {
  Validate: 5,
  Activate: 9,
  Heartbeat: 4,
  Deactivate: 3,
  GetEntitlements: 4,
  RecordUsage: 7,
  GetPublicKeys: 2,
};
const BINDING_FIELD = 15;

interface Sent {
  rpc: string;
  nonce: Buffer;
  licenseKey: string;
  fingerprint: string;
  productCode: string;
}

type Received =
  | { format: "protobuf"; answer: Buffer; kid: string; signature: Buffer }
  | { format: "json"; status: number; body: Buffer; header: string | null };

interface Binding {
  rpc: string;
  nonce: Buffer;
  licenseKeyHash: string;
  fingerprint: string;
  productCode: string;
}

interface Verified {
  result: Result;
  binding?: Binding;
  serverTime?: Date;
  graceToken?: string;
}

class Malformed extends Error {}

/** protobuf records: varints, fixed64/32 and length-delimited; groups and field 0 are malformed */
interface ProtoRecord {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = buf[at + i];
    if (byte === undefined) throw new Malformed("truncated varint");
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return [value, at + i + 1];
  }
  throw new Malformed("varint longer than 10 bytes");
}

function protoRecords(buf: Buffer): ProtoRecord[] {
  const out: ProtoRecord[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    at = next;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0 || tag > 0xffffffffn) throw new Malformed("bad tag");
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ field, wire, varint: value });
      at = after;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > buf.length) throw new Malformed("truncated fixed");
      out.push({ field, wire, bytes: buf.subarray(at, at + size) });
      at += size;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      if (BigInt(after) + length > BigInt(buf.length)) throw new Malformed("truncated bytes");
      out.push({ field, wire, bytes: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else {
      throw new Malformed(`wire type ${wire}`);
    }
  }
  return out;
}

/** the one length-delimited record of `field` (absent: undefined; twice or wrong type: malformed) */
function single(records: ProtoRecord[], field: number): Buffer | undefined {
  const found = records.filter((r) => r.field === field);
  if (found.length > 1) throw new Malformed(`field ${field} twice`);
  const [record] = found;
  if (!record) return undefined;
  if (record.wire !== 2 || !record.bytes) throw new Malformed(`field ${field} is not length-delimited`);
  return record.bytes;
}

const utf8 = (bytes: Buffer) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

function protoBinding(bytes: Buffer): Binding {
  const records = protoRecords(bytes);
  const text = (field: number) => {
    const value = single(records, field);
    return value === undefined ? "" : utf8(value);
  };
  return {
    rpc: text(1),
    nonce: Buffer.from(single(records, 2) ?? Buffer.alloc(0)),
    licenseKeyHash: text(3),
    fingerprint: text(4),
    productCode: text(5),
  };
}

function protoTimestamp(bytes: Buffer): Date {
  let seconds = 0n;
  let nanos = 0n;
  for (const record of protoRecords(bytes)) {
    if (record.field === 1 && record.varint !== undefined) seconds = BigInt.asIntN(64, record.varint);
    if (record.field === 2 && record.varint !== undefined) nanos = BigInt.asIntN(32, record.varint);
  }
  if (seconds < -62135596800n || seconds > 253402300799n || nanos < 0n || nanos > 999_999_999n) {
    throw new Malformed("timestamp out of range");
  }
  return new Date(Number(seconds) * 1000 + Math.floor(Number(nanos) / 1e6));
}

function decodeProtobuf(rpc: string, answer: Buffer): Verified {
  const records = protoRecords(answer);
  const binding = single(records, BINDING_FIELD);
  const time = single(records, SERVER_TIME_FIELD[rpc] ?? -1);
  if (!binding || !time) throw new Malformed("no binding or server time");
  // Validate's grace token is field 6 (for the grace-token check below)
  const grace = rpc === "Validate" ? single(records, 6) : undefined;
  return {
    result: "VALID",
    binding: protoBinding(binding),
    serverTime: protoTimestamp(time),
    ...(grace ? { graceToken: utf8(grace) } : {}),
  };
}

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(text: string): Buffer {
  const bytes = Buffer.from(text, "base64");
  if (!CANONICAL_BASE64.test(text) || bytes.toString("base64") !== text) throw new Malformed("base64");
  return bytes;
}

function decodeJson(body: Buffer): Verified {
  const value: unknown = JSON.parse(utf8(body));
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Malformed("not an object");
  const answer = value as Record<string, unknown>;
  const binding = answer.binding;
  if (typeof binding !== "object" || binding === null || Array.isArray(binding))
    throw new Malformed("binding");
  const b = binding as Record<string, unknown>;
  const text = (camel: string, snake: string) => {
    const member = b[camel] ?? b[snake];
    if (member === undefined) return "";
    if (typeof member !== "string") throw new Malformed(camel);
    return member;
  };
  const time = answer.serverTime ?? answer.server_time;
  if (typeof time !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(time)) {
    throw new Malformed("serverTime");
  }
  const serverTime = new Date(time);
  if (Number.isNaN(serverTime.getTime())) throw new Malformed("serverTime");
  return {
    result: "VALID",
    binding: {
      rpc: text("rpc", "rpc"),
      nonce: base64Bytes(text("nonce", "nonce")),
      licenseKeyHash: text("licenseKeyHash", "license_key_hash"),
      fingerprint: text("fingerprint", "fingerprint"),
      productCode: text("productCode", "product_code"),
    },
    serverTime,
    ...(typeof answer.graceToken === "string" ? { graceToken: answer.graceToken } : {}),
  };
}

/** section 5: the header's kid and signature, or null (the answer is unsigned) */
function parseHeader(value: string | null): { kid: string; signature: Buffer } | null {
  if (value === null || value.length === 0 || value.length > 1024) return null;
  const params: Record<string, string> = {};
  for (const part of value.split(",")) {
    const match = /^[ \t]*([a-z]+)="([\x20\x21\x23-\x2b\x2d-\x7e]*)"[ \t]*$/.exec(part);
    if (!match) return null;
    const [, name = "", content = ""] = match;
    if (Object.hasOwn(params, name)) return null;
    params[name] = content;
  }
  const { keyid, algorithm, signature } = params;
  if (!keyid || algorithm !== "ed25519" || signature === undefined) return null;
  if (signature.length !== 88) return null;
  let bytes: Buffer;
  try {
    bytes = base64Bytes(signature);
  } catch {
    return null;
  }
  return bytes.length === 64 ? { kid: keyid, signature: bytes } : null;
}

/** section 6 */
function canonicalKey(key: string): string {
  const symbols = key.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (symbols.length !== 25) return key;
  const grouped = [0, 5, 10, 15, 20].map((i) => symbols.slice(i, i + 5)).join("-");
  return /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/.test(grouped) ? grouped : key;
}

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** section 7, steps 2 to 10 */
function independentVerify(received: Received, sent: Sent, keyring: Map<string, KeyObject>): Verified {
  let kid: string;
  let signature: Buffer;
  let bytes: Buffer;
  if (received.format === "protobuf") {
    if (!received.kid || received.signature.length === 0) return { result: "UNSIGNED" };
    ({ kid, signature } = received);
    bytes = received.answer;
  } else {
    if (received.status !== 200) return { result: "UNSIGNED" };
    const header = parseHeader(received.header);
    if (!header) return { result: "UNSIGNED" };
    ({ kid, signature } = header);
    bytes = received.body;
  }
  const key = keyring.get(kid);
  if (!key) return { result: "UNKNOWN_KEY" };
  const input = Buffer.concat([Buffer.from(CONTEXT[received.format], "ascii"), bytes]);
  if (signature.length !== 64 || !verifySignature(null, input, key, signature))
    return { result: "BAD_SIGNATURE" };
  let decoded: Verified;
  try {
    decoded = received.format === "protobuf" ? decodeProtobuf(sent.rpc, bytes) : decodeJson(bytes);
  } catch {
    return { result: "MALFORMED" };
  }
  const binding = decoded.binding as Binding;
  const licensed = sent.rpc !== "GetPublicKeys";
  const result: Result =
    binding.rpc !== sent.rpc
      ? "WRONG_RPC"
      : !binding.nonce.equals(sent.nonce)
        ? "NONCE_MISMATCH"
        : binding.licenseKeyHash !== (licensed ? sha256Hex(canonicalKey(sent.licenseKey)) : "")
          ? "LICENSE_MISMATCH"
          : binding.fingerprint !== (licensed ? sent.fingerprint : "")
            ? "FINGERPRINT_MISMATCH"
            : binding.productCode !== (licensed ? sent.productCode : "")
              ? "PRODUCT_MISMATCH"
              : "VALID";
  return { ...decoded, result };
}

/** section 7, grace tokens: a JWS checked with node:crypto before it would be stored */
function graceTokenOk(token: string, sent: Sent, serverTime: Date, keyring: Map<string, KeyObject>): boolean {
  const [head = "", body = "", sig = ""] = token.split(".");
  const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
  const key = keyring.get(String(header.kid));
  if (!key || header.alg !== "EdDSA" || header.typ !== "license-grace+jwt") return false;
  if (!verifySignature(null, Buffer.from(`${head}.${body}`, "ascii"), key, Buffer.from(sig, "base64url"))) {
    return false;
  }
  return (
    claims.iss === "license-server" &&
    typeof claims.exp === "number" &&
    claims.exp * 1000 > serverTime.getTime() &&
    claims.fp === sent.fingerprint &&
    claims.lkh === sha256Hex(canonicalKey(sent.licenseKey)) &&
    claims.prd === sent.productCode
  );
}

// --- the vectors, read from the Markdown ---------------------------------------------------------

const spec = readFileSync(SPEC_PATH, "utf8");
const section = spec.slice(spec.indexOf(VECTORS_START), spec.indexOf(VECTORS_END) + VECTORS_END.length);

interface DocVector {
  id: string;
  expected: string;
  blocks: Map<string, string>;
}

function labelledBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of text.matchAll(/^([^\n]+):\n\n```text\n([\s\S]*?)\n```$/gm)) {
    blocks.set(match[1] ?? "", match[2] ?? "");
  }
  return blocks;
}

const [preamble = "", ...vectorTexts] = section.split(/^### /m);
const docKeys = labelledBlocks(preamble);
const docVectors: DocVector[] = vectorTexts.map((text) => ({
  id: /^(\S+)\./.exec(text)?.[1] ?? "",
  expected: /^Expected result: `([A-Z_]+)`$/m.exec(text)?.[1] ?? "",
  blocks: labelledBlocks(text),
}));

const need = (vector: DocVector, label: string): string => {
  const value = vector.blocks.get(label);
  if (value === undefined) throw new Error(`${vector.id}: no "${label}" block`);
  return value;
};
const joined = (text: string) => text.replace(/\n/g, "");

function sentOf(vector: DocVector): Sent {
  const lines = new Map(
    need(vector, "Verify as the answer to")
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
  );
  return {
    rpc: lines.get("rpc") ?? "",
    nonce: Buffer.from(lines.get("nonce") ?? "", "hex"),
    licenseKey: lines.get("license key") ?? "",
    fingerprint: lines.get("fingerprint") ?? "",
    productCode: lines.get("product code") ?? "",
  };
}

function receivedOf(vector: DocVector): Received {
  if (vector.blocks.has("body (UTF-8, exactly as sent)")) {
    const header = need(vector, "License-Signature");
    return {
      format: "json",
      status: 200,
      body: Buffer.from(need(vector, "body (UTF-8, exactly as sent)"), "utf8"),
      header: header === "(absent)" ? null : header,
    };
  }
  return {
    format: "protobuf",
    answer: Buffer.from(joined(need(vector, "answer (base64)")), "base64"),
    kid: need(vector, "kid"),
    signature: Buffer.from(need(vector, "signature (base64)"), "base64"),
  };
}

const publicKeyPem = docKeys.get("Public key (SPKI PEM)") ?? "";
const independentKeys = new Map([[TEST_KID, createPublicKey(publicKeyPem)]]);
const independentKeyring = () => independentKeys;
const sdkKeys = new AnswerKeyring([{ kid: TEST_KID, publicKeyPem }]);
const sdkKeyring = () => sdkKeys;
const byId = (id: string) => {
  const vector = docVectors.find((v) => v.id === id);
  if (!vector) throw new Error(`no vector ${id}`);
  return vector;
};

/** the SDK's signature check of what the independent verifier was given */
function sdkCheck(received: Received): string {
  if (received.format === "protobuf") {
    return sdkKeyring().check({
      format: "protobuf",
      bytes: received.answer,
      kid: received.kid,
      signature: received.signature,
    });
  }
  const header = parseAnswerSignatureHeader(received.header);
  return sdkKeyring().check({
    format: "json",
    bytes: received.body,
    kid: header?.kid ?? "",
    signature: header?.signature ?? new Uint8Array(),
  });
}
/** the independent verifier's result for the signature steps alone (2–4) */
const signatureStep = (result: Result) =>
  ["UNSIGNED", "UNKNOWN_KEY", "BAD_SIGNATURE"].includes(result) ? result : "VALID";

// --- the tests -----------------------------------------------------------------------------------

describe("the spec's test vectors (sdk/docs/signed-answers-v1.md)", () => {
  it("are what the generator makes today, byte for byte", () => {
    expect(section).toBe(renderVectors());
  });

  it("cover the positive and negative cases the spec promises", () => {
    expect(docVectors.map((v) => `${v.id}:${v.expected}`)).toEqual([
      "V1:VALID",
      "V2:VALID",
      "V3:VALID",
      "N1:BAD_SIGNATURE",
      "N2:NONCE_MISMATCH",
      "N3:UNKNOWN_KEY",
      "N4:BAD_SIGNATURE",
      "N5:BAD_SIGNATURE",
      "N6:BAD_SIGNATURE",
      "N7:UNSIGNED",
      "N8:FINGERPRINT_MISMATCH",
      "N9:LICENSE_MISMATCH",
      "N10:PRODUCT_MISMATCH",
      "N11:WRONG_RPC",
    ]);
  });

  it("state a key that is the RFC 8032 test key, with its kid", () => {
    const seed = docKeys.get("Private key (the 32-byte seed, hex)");
    expect(seed).toBe("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const raw = createPublicKey(publicKeyPem).export({ format: "der", type: "spki" }).subarray(12);
    expect(raw.toString("hex")).toBe(docKeys.get("Public key (raw, hex)"));
    expect(raw.toString("hex")).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    expect(createHash("sha256").update(raw).digest("hex").slice(0, 16)).toBe(TEST_KID);
  });

  it("give consistent intermediate values: hex = base64, the signing input, the envelope", () => {
    for (const id of ["V1", "V3"]) {
      const vector = byId(id);
      const answer = Buffer.from(joined(need(vector, "answer (hex)")), "hex");
      expect(answer.equals(Buffer.from(joined(need(vector, "answer (base64)")), "base64"))).toBe(true);
      const signature = Buffer.from(joined(need(vector, "signature (hex)")), "hex");
      expect(signature.toString("base64")).toBe(need(vector, "signature (base64)"));
      const input = Buffer.from(joined(need(vector, "signing input (hex)")), "hex");
      expect(input.equals(Buffer.concat([Buffer.from(CONTEXT.protobuf), answer]))).toBe(true);
      // the envelope, walked independently: answer = 1, kid = 2, signature = 3
      const envelope = protoRecords(
        Buffer.from(joined(need(vector, "SignedAnswer as on the wire (hex)")), "hex"),
      );
      expect(envelope.map((r) => r.field)).toEqual([1, 2, 3]);
      expect(single(envelope, 1)?.equals(answer)).toBe(true);
      expect(single(envelope, 2)?.toString("ascii")).toBe(need(vector, "kid"));
      expect(single(envelope, 3)?.equals(signature)).toBe(true);
    }
    const v2 = byId("V2");
    const body = Buffer.from(need(v2, "body (UTF-8, exactly as sent)"), "utf8");
    expect(joined(need(v2, "SHA-256 of the signing input (hex)"))).toBe(
      createHash("sha256")
        .update(Buffer.concat([Buffer.from(CONTEXT.json), body]))
        .digest("hex"),
    );
  });
});

describe("an independent verifier written from the spec", () => {
  for (const vector of docVectors) {
    it(`${vector.id}: ${vector.expected}`, () => {
      const sent = sentOf(vector);
      const verified = independentVerify(receivedOf(vector), sent, independentKeyring());
      expect(verified.result).toBe(vector.expected);
      if (vector.expected === "VALID") {
        expect(verified.serverTime?.toISOString()).toBe("2026-01-15T09:30:00.000Z");
      }
    });
  }

  it("V1 and V2 decode to the same binding and time, and their grace tokens verify only here", () => {
    const keyring = independentKeyring();
    const [grpc, rest] = ["V1", "V2"].map((id) =>
      independentVerify(receivedOf(byId(id)), sentOf(byId(id)), keyring),
    );
    expect(grpc?.binding).toEqual(rest?.binding);
    expect(grpc?.serverTime).toEqual(rest?.serverTime);
    const sent = sentOf(byId("V1"));
    const token = grpc?.graceToken ?? "";
    expect(token).toBe(rest?.graceToken);
    const at = grpc?.serverTime ?? new Date(0);
    expect(graceTokenOk(token, sent, at, keyring)).toBe(true);
    // the same genuine token is not for another machine, product or key, nor after it expires
    expect(graceTokenOk(token, { ...sent, fingerprint: "host-0000" }, at, keyring)).toBe(false);
    expect(graceTokenOk(token, { ...sent, productCode: "acme-viewer" }, at, keyring)).toBe(false);
    expect(graceTokenOk(token, { ...sent, licenseKey: "7K3QD-M9XWB-0A1ZZ-TTTTT-00001" }, at, keyring)).toBe(
      false,
    );
    expect(graceTokenOk(token, sent, new Date("2026-01-18T09:30:00.000Z"), keyring)).toBe(false);
  });

  it("refuses a non-200 REST answer and a correctly signed answer that does not decode", () => {
    const v2 = receivedOf(byId("V2"));
    if (v2.format !== "json") throw new Error("V2 is JSON");
    expect(independentVerify({ ...v2, status: 400 }, sentOf(byId("V2")), independentKeyring()).result).toBe(
      "UNSIGNED",
    );
    // the canonical key: typed loosely, hashed alike; an ill-formed key is hashed as sent
    expect(canonicalKey("7k3qd m9xwb oa1zz ttttt ooooo")).toBe("7K3QD-M9XWB-0A1ZZ-TTTTT-00000");
    expect(canonicalKey("7K3QD-M9XWB-0A1ZZ-TTTTT-0000U")).toBe("7K3QD-M9XWB-0A1ZZ-TTTTT-0000U");
  });
});

describe("the SDK and the independent verifier agree", () => {
  it("on every vector: the SDK's signature check and the generated decoder read what the walker reads", () => {
    for (const vector of docVectors) {
      const received = receivedOf(vector);
      const sent = sentOf(vector);
      const independent = independentVerify(received, sent, independentKeyring());
      expect(sdkCheck(received), vector.id).toBe(signatureStep(independent.result));
      if (signatureStep(independent.result) !== "VALID") continue;
      const method = (Object.keys(LICENSE_RPCS) as LicenseRpc[]).find(
        (m) => LICENSE_RPCS[m].name === sent.rpc,
      );
      if (!method) throw new Error(`no RPC ${sent.rpc}`);
      const rpc = LICENSE_RPCS[method];
      const decoded = (
        received.format === "protobuf"
          ? rpc.response.decode(received.answer)
          : rpc.response.fromJSON(JSON.parse(received.body.toString("utf8")))
      ) as { binding?: Binding; serverTime?: Date };
      expect({ ...decoded.binding, nonce: Buffer.from(decoded.binding?.nonce ?? []) }, vector.id).toEqual(
        independent.binding,
      );
      expect(decoded.serverTime, vector.id).toEqual(independent.serverTime);
    }
  });

  const flips = (length: number) =>
    Array.from({ length }, (_, i) => i).flatMap((i) => [0x01, 0x80].map((mask) => ({ i, mask })));
  const flipped = (bytes: Buffer, i: number, mask: number) => {
    const copy = Buffer.from(bytes);
    copy[i] = (copy[i] ?? 0) ^ mask;
    return copy;
  };

  it("V1 over gRPC: every changed byte of the answer and of the signature is refused by both", () => {
    const v1 = receivedOf(byId("V1"));
    if (v1.format !== "protobuf") throw new Error("V1 is protobuf");
    const sent = sentOf(byId("V1"));
    const keyring = independentKeyring();
    const changes: Received[] = [
      ...flips(v1.answer.length).map(({ i, mask }) => ({ ...v1, answer: flipped(v1.answer, i, mask) })),
      ...flips(v1.signature.length).map(({ i, mask }) => ({
        ...v1,
        signature: flipped(v1.signature, i, mask),
      })),
    ];
    expect(changes.length).toBeGreaterThan(1700);
    for (const change of changes) {
      expect(independentVerify(change, sent, keyring).result).toBe("BAD_SIGNATURE");
      expect(sdkCheck(change)).toBe("BAD_SIGNATURE");
    }
    // and the unchanged answer passes both (the loop above is not vacuous)
    expect(independentVerify(v1, sent, keyring).result).toBe("VALID");
    expect(sdkCheck(v1)).toBe("VALID");
  });

  it("V2 over REST: every changed byte of the body, the signature and the header is refused by both", () => {
    const v2 = receivedOf(byId("V2"));
    if (v2.format !== "json" || v2.header === null) throw new Error("V2 is signed JSON");
    const sent = sentOf(byId("V2"));
    const keyring = independentKeyring();
    const header = parseHeader(v2.header);
    if (!header) throw new Error("V2's header parses");
    for (const { i, mask } of flips(v2.body.length)) {
      const change: Received = { ...v2, body: flipped(v2.body, i, mask) };
      expect(independentVerify(change, sent, keyring).result).toBe("BAD_SIGNATURE");
      expect(sdkCheck(change)).toBe("BAD_SIGNATURE");
    }
    for (const { i, mask } of flips(64)) {
      const signature = flipped(header.signature, i, mask);
      const change: Received = {
        ...v2,
        header: `keyid="${header.kid}", algorithm="ed25519", signature="${signature.toString("base64")}"`,
      };
      expect(independentVerify(change, sent, keyring).result).toBe("BAD_SIGNATURE");
      expect(sdkCheck(change)).toBe("BAD_SIGNATURE");
    }
    // the header's text: every changed character is refused, and both give the same reason
    const reasons = new Set<string>();
    for (let i = 0; i < v2.header.length; i++) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const text =
          v2.header.slice(0, i) +
          String.fromCharCode(v2.header.charCodeAt(i) ^ mask) +
          v2.header.slice(i + 1);
        const change: Received = { ...v2, header: text };
        const independent = independentVerify(change, sent, keyring).result;
        expect(independent, JSON.stringify(text)).not.toBe("VALID");
        expect(sdkCheck(change), JSON.stringify(text)).toBe(independent);
        reasons.add(independent);
      }
    }
    expect([...reasons].sort()).toEqual(["BAD_SIGNATURE", "UNKNOWN_KEY", "UNSIGNED"]);
    expect(independentVerify(v2, sent, keyring).result).toBe("VALID");
    expect(sdkCheck(v2)).toBe("VALID");
  });
});

describe("parseAnswerSignatureHeader (section 5)", () => {
  const v2 = byId("V2");
  const good = need(v2, "License-Signature");
  const parsed = parseHeader(good);
  const sig = parsed?.signature.toString("base64") ?? "";
  const kid = parsed?.kid ?? "";

  it("accepts the server's form, other orders, SP/HTAB around parameters and unknown parameters", () => {
    for (const header of [
      good,
      `signature="${sig}", keyid="${kid}", algorithm="ed25519"`,
      `keyid="${kid}",algorithm="ed25519",signature="${sig}"`,
      `\tkeyid="${kid}" ,  algorithm="ed25519",\tsignature="${sig}" `,
      `keyid="${kid}", algorithm="ed25519", signature="${sig}", created="1768469400"`,
    ]) {
      const sdk = parseAnswerSignatureHeader(header);
      expect(sdk, header).not.toBeNull();
      expect(sdk?.kid).toBe(kid);
      expect(Buffer.from(sdk?.signature ?? []).toString("base64")).toBe(sig);
      expect(parseHeader(header)?.kid, header).toBe(kid);
    }
  });

  // the last base64 symbol of 64 bytes carries 2 bits of data: "A" + 1 is the same bytes, misspelled
  const lastSymbol = sig.charAt(85);
  const misspelled = `${sig.slice(0, 85)}${String.fromCharCode(lastSymbol.charCodeAt(0) + 1)}==`;
  const refused: Record<string, string | null | undefined> = {
    "no header": null,
    undefined: undefined,
    empty: "",
    "duplicate keyid": `keyid="${kid}", keyid="${kid}", algorithm="ed25519", signature="${sig}"`,
    "duplicate signature": `keyid="${kid}", algorithm="ed25519", signature="${sig}", signature="${sig}"`,
    "duplicate algorithm": `keyid="${kid}", algorithm="ed25519", algorithm="ed25519", signature="${sig}"`,
    "two header fields joined by fetch": `${good}, ${good}`,
    "algorithm Ed25519 (case)": `keyid="${kid}", algorithm="Ed25519", signature="${sig}"`,
    "algorithm rsa-sha256": `keyid="${kid}", algorithm="rsa-sha256", signature="${sig}"`,
    "no algorithm": `keyid="${kid}", signature="${sig}"`,
    "no keyid": `algorithm="ed25519", signature="${sig}"`,
    "empty keyid": `keyid="", algorithm="ed25519", signature="${sig}"`,
    "no signature": `keyid="${kid}", algorithm="ed25519"`,
    "signature of 63 bytes": `keyid="${kid}", algorithm="ed25519", signature="${Buffer.alloc(63, 7).toString("base64")}"`,
    "signature of 65 bytes": `keyid="${kid}", algorithm="ed25519", signature="${Buffer.alloc(65, 7).toString("base64")}"`,
    "signature without padding": `keyid="${kid}", algorithm="ed25519", signature="${sig.slice(0, 86)}"`,
    "signature in URL-safe base64": `keyid="${kid}", algorithm="ed25519", signature="${Buffer.from(sig, "base64").toString("base64url")}=="`,
    "signature with a non-canonical last symbol": `keyid="${kid}", algorithm="ed25519", signature="${misspelled}"`,
    "signature with a space inside": `keyid="${kid}", algorithm="ed25519", signature="${sig.slice(0, 40)} ${sig.slice(41)}"`,
    "unquoted value": `keyid=${kid}, algorithm="ed25519", signature="${sig}"`,
    "single quotes": `keyid='${kid}', algorithm="ed25519", signature="${sig}"`,
    "upper-case parameter name": `KeyId="${kid}", algorithm="ed25519", signature="${sig}"`,
    "trailing comma": `${good},`,
    "a value with a control character": `keyid="${kid}\u0001", algorithm="ed25519", signature="${sig}"`,
    "a value with a non-ASCII character": `keyid="${kid}\u00e9", algorithm="ed25519", signature="${sig}"`,
    "a line feed as whitespace": `keyid="${kid}",\nalgorithm="ed25519", signature="${sig}"`,
    "a no-break space as whitespace": `keyid="${kid}",\u00a0algorithm="ed25519", signature="${sig}"`,
    "over-long (1025 characters)": `${good}, pad="${"x".repeat(1025 - good.length - 8)}"`,
  };

  for (const [what, header] of Object.entries(refused)) {
    it(`refuses ${what}`, () => {
      expect(parseAnswerSignatureHeader(header)).toBeNull();
      expect(parseHeader(header ?? null)).toBeNull();
    });
  }

  it("the over-long case is exactly one character too long (1024 is accepted)", () => {
    const padded = (length: number) => `${good}, pad="${"x".repeat(length - good.length - 8)}"`;
    expect(padded(1024)).toHaveLength(1024);
    expect(parseAnswerSignatureHeader(padded(1024))).not.toBeNull();
    expect(padded(1025)).toHaveLength(1025);
    expect(parseAnswerSignatureHeader(padded(1025))).toBeNull();
    expect(lastSymbol).toMatch(/^[AQgw]$/);
  });
});
