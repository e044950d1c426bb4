// Offline license files (.lic): an armored, Ed25519-signed license payload, optionally bound to a
// machine fingerprint and then optionally encrypted for that machine. The format is specified in
// sdk/docs/license-file-v1.md; this module writes it (through a signing callback: the SDK never
// holds private keys) and verifies it. It uses only WebCrypto, TextEncoder/TextDecoder and
// atob/btoa, so it runs in Node ≥ 20, browsers and Electron renderers alike.
import { licenseKeyHash, type PublicKeyEntry } from "./grace-token.ts";
// types only: erased from the output, so browser bundles see no node:crypto
import type * as NodeCrypto from "node:crypto";

/** Version of the envelope and of the payload this module reads and writes. */
export const LICENSE_FILE_VERSION = 1;
export const LICENSE_FILE_EXTENSION = ".lic";
export const LICENSE_FILE_MEDIA_TYPE = "application/x-license-file";

export const LICENSE_FILE_ARMOR_BEGIN = "-----BEGIN LICENSE FILE-----";
export const LICENSE_FILE_ARMOR_END = "-----END LICENSE FILE-----";
const LINE_LENGTH = 64;
/** First line of the signed bytes: separates them from anything else the same key signs. */
const SIGNING_CONTEXT = "license-server/license-file/v1";
/** HKDF `info` of the payload key. */
const HKDF_INFO = "license-server/license-file/v1/aes-256-gcm";
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SIGNATURE_BYTES = 64;
/** Larger input is refused unread: real files are a few kilobytes. */
const MAX_FILE_CHARS = 1_000_000;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export type LicenseFileEncryption = "none" | "aes-256-gcm";

export interface LicenseFileEntitlement {
  /** the feature's code, as the software asks for it */
  code: string;
  name: string;
  kind: "boolean" | "metered";
  /** metered features: what is counted ("calls"), else null */
  unit: string | null;
  /** metered features: the allowed amount per quotaPeriod; null = unlimited */
  quota: number | null;
  quotaPeriod: "total" | "day" | "month";
}

/** What a license file says (payload version 1). Times are RFC 3339 UTC strings ("…Z"). */
export interface LicenseFilePayload {
  v: 1;
  /** this file's id (the server's issuance id) */
  id: string;
  /** the signing key's id; always equal to the envelope's `kid` */
  kid: string;
  issuedAt: string;
  /** the file is not valid before this time (the issue time, or the license's later start) */
  notBefore: string;
  /** the file is not valid from this time on; never after the license's own expiry */
  expiresAt: string;
  /** the machine the file is bound to, or null: any machine */
  fingerprint: string | null;
  license: {
    id: string;
    /** SHA-256 (lower-case hex) of the license key: binds the file to the key without carrying it */
    keyHash: string;
    type: "floating" | "node_locked";
    /** floating: concurrent sessions; node_locked: machines */
    seats: number;
    startsAt: string;
    /** the license's own expiry, or null when perpetual */
    expiresAt: string | null;
  };
  customer: { id: string; name: string };
  product: { id: string; code: string; name: string };
  entitlements: LicenseFileEntitlement[];
}

/** The payload as the issuer fills it in; `v` and `kid` are set by `createLicenseFile`. */
export type LicenseFileContent = Omit<LicenseFilePayload, "v" | "kid">;

export interface CreateLicenseFileOptions {
  payload: LicenseFileContent;
  /** id of the key `sign` signs with; verifiers look the public key up by it */
  kid: string;
  /** Ed25519 signature (64 bytes) of `message` with the key `kid` */
  sign: (message: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  /** encrypt the payload for the bound machine (`payload.fingerprint` must be set) */
  encrypt?: boolean;
  /** source of the salt and IV; default `crypto.getRandomValues`. Only for reproducible test vectors. */
  randomBytes?: (length: number) => Uint8Array;
}

export type LicenseFileFailure =
  /** not a license file: armor, base64, envelope or payload are not exactly as specified */
  | "MALFORMED"
  /** a version, signature algorithm or encryption this verifier does not know */
  | "UNSUPPORTED"
  /** signed with a key that is not in the given keyring */
  | "UNKNOWN_KEY"
  /** the signature does not match: the file was changed, or signed by someone else */
  | "BAD_SIGNATURE"
  /** the file is bound to a machine (or encrypted) and no fingerprint was given */
  | "FINGERPRINT_REQUIRED"
  /** the file is bound to another machine (for an encrypted file: it cannot be decrypted with this one) */
  | "FINGERPRINT_MISMATCH"
  | "EXPIRED"
  | "NOT_YET_VALID"
  /** the file is for another license key than the one given */
  | "LICENSE_MISMATCH"
  /** the file is for another product than the one given */
  | "PRODUCT_MISMATCH";

export type LicenseFileResult =
  | { valid: true; payload: LicenseFilePayload; kid: string; encrypted: boolean; expiresAt: Date }
  | { valid: false; reason: LicenseFileFailure };

export interface VerifyLicenseFileOptions {
  /** this machine's fingerprint, compared byte for byte; required for bound and encrypted files */
  fingerprint?: string;
  /** the time to check against (default: now) */
  now?: Date;
  /** the license key the software is configured with: refused when the file is for another */
  licenseKey?: string;
  /** the software's product code: refused when the file is for another product */
  productCode?: string;
  /** how far this machine's clock may run behind the issuer's at `notBefore` (default 300 s) */
  clockSkewSeconds?: number;
  /**
   * "auto" (default): node:crypto's synchronous Ed25519 where it exists (Node, Electron's main
   * process; about twice as fast), WebCrypto elsewhere. "webcrypto": WebCrypto only, as browsers do.
   */
  engine?: "auto" | "webcrypto";
}

interface Envelope {
  v: 1;
  alg: "Ed25519";
  kid: string;
  enc: LicenseFileEncryption;
  salt: Uint8Array<ArrayBuffer> | null;
  iv: Uint8Array<ArrayBuffer> | null;
  payload: Uint8Array<ArrayBuffer>;
  sig: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/** Writes a license file: the payload, signed through `sign`, in its armor. */
export async function createLicenseFile(options: CreateLicenseFileOptions): Promise<string> {
  const { kid, encrypt = false } = options;
  if (!KID_PATTERN.test(kid)) throw new TypeError("kid: use 1–64 of A–Z a–z 0–9 . _ -");
  const payload = payloadInOrder({ ...options.payload, v: LICENSE_FILE_VERSION, kid });
  const checked = checkPayload(payload);
  if (typeof checked === "string") throw new TypeError("the payload does not follow license file v1");
  if (encrypt && payload.fingerprint === null)
    throw new TypeError("an encrypted file must be bound to a fingerprint");
  let bytes = encoder.encode(JSON.stringify(payload));
  let salt: Uint8Array<ArrayBuffer> | null = null;
  let iv: Uint8Array<ArrayBuffer> | null = null;
  if (encrypt && payload.fingerprint !== null) {
    const random = options.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
    salt = new Uint8Array(random(SALT_BYTES));
    iv = new Uint8Array(random(IV_BYTES));
    if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES)
      throw new TypeError("randomBytes: wrong length");
    const key = await payloadKey(payload.fingerprint, salt);
    bytes = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 128 }, key, bytes));
  }
  const envelope: Omit<Envelope, "sig"> = {
    v: LICENSE_FILE_VERSION,
    alg: "Ed25519",
    kid,
    enc: encrypt ? "aes-256-gcm" : "none",
    salt,
    iv,
    payload: bytes,
  };
  const sig = new Uint8Array(await options.sign(signedBytes(envelope)));
  if (sig.length !== SIGNATURE_BYTES) throw new TypeError("sign: an Ed25519 signature has 64 bytes");
  return armor(encoder.encode(envelopeJson({ ...envelope, sig })));
}

/**
 * Verifies a license file against a keyring (SPKI PEM public keys by key id): canonical form, a
 * known key, a good signature, decryption with this machine's fingerprint, the payload, its time
 * window at `now`, the machine binding and, when given, the license key and product.
 */
export async function verifyLicenseFile(
  text: string,
  publicKeys: readonly PublicKeyEntry[],
  options: VerifyLicenseFileOptions = {},
): Promise<LicenseFileResult> {
  const fail = (reason: LicenseFileFailure): LicenseFileResult => ({ valid: false, reason });
  const envelopeBytes = unarmor(text);
  if (!envelopeBytes) return fail("MALFORMED");
  const envelope = parseEnvelope(envelopeBytes);
  if (typeof envelope === "string") return fail(envelope);

  const entry = publicKeys.find((key) => key.kid === envelope.kid);
  if (!entry) return fail("UNKNOWN_KEY");
  let signatureOk: boolean;
  try {
    signatureOk =
      NODE_CRYPTO && options.engine !== "webcrypto"
        ? NODE_CRYPTO.verify(null, signedBytes(envelope), nodePublicKey(entry), envelope.sig)
        : await crypto.subtle.verify(
            "Ed25519",
            await importPublicKey(entry),
            envelope.sig,
            signedBytes(envelope),
          );
  } catch (error) {
    throw new TypeError(`public key ${entry.kid}: not an Ed25519 SPKI key`, { cause: error });
  }
  if (!signatureOk) return fail("BAD_SIGNATURE");

  let plaintext = envelope.payload;
  if (envelope.enc === "aes-256-gcm") {
    if (options.fingerprint === undefined) return fail("FINGERPRINT_REQUIRED");
    if (!envelope.salt || !envelope.iv) return fail("MALFORMED");
    try {
      const key = await payloadKey(options.fingerprint, envelope.salt);
      plaintext = new Uint8Array(
        await crypto.subtle.decrypt({ name: "AES-GCM", iv: envelope.iv, tagLength: 128 }, key, plaintext),
      );
    } catch {
      // the signature already vouched for the ciphertext: only another machine's key fails here
      return fail("FINGERPRINT_MISMATCH");
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    return fail("MALFORMED");
  }
  const payload = checkPayload(value);
  if (typeof payload === "string") return fail(payload);
  if (payload.kid !== envelope.kid) return fail("MALFORMED");

  const now = (options.now ?? new Date()).getTime();
  const skew = (options.clockSkewSeconds ?? 300) * 1000;
  const expiresAt = Date.parse(payload.expiresAt);
  if (now + skew < Date.parse(payload.notBefore)) return fail("NOT_YET_VALID");
  if (now >= expiresAt) return fail("EXPIRED");
  if (payload.fingerprint !== null) {
    if (options.fingerprint === undefined) return fail("FINGERPRINT_REQUIRED");
    if (options.fingerprint !== payload.fingerprint) return fail("FINGERPRINT_MISMATCH");
  }
  if (
    options.licenseKey !== undefined &&
    (await licenseKeyHash(options.licenseKey)) !== payload.license.keyHash
  )
    return fail("LICENSE_MISMATCH");
  if (options.productCode !== undefined && options.productCode !== payload.product.code)
    return fail("PRODUCT_MISMATCH");
  return {
    valid: true,
    payload,
    kid: envelope.kid,
    encrypted: envelope.enc !== "none",
    expiresAt: new Date(expiresAt),
  };
}

// --- the bytes ---------------------------------------------------------------------------------

/** What the signature covers: the envelope's parameters as ASCII lines, then the payload bytes. */
function signedBytes(envelope: Omit<Envelope, "sig">): Uint8Array<ArrayBuffer> {
  const header = encoder.encode(
    `${SIGNING_CONTEXT}\nalg=${envelope.alg}\nkid=${envelope.kid}\nenc=${envelope.enc}\n` +
      `salt=${envelope.salt ? toBase64(envelope.salt) : ""}\niv=${envelope.iv ? toBase64(envelope.iv) : ""}\n\n`,
  );
  const message = new Uint8Array(header.length + envelope.payload.length);
  message.set(header);
  message.set(envelope.payload, header.length);
  return message;
}

/** The envelope's one accepted serialization: these members in this order, no whitespace. */
function envelopeJson(envelope: Envelope): string {
  return envelopeText({
    ...envelope,
    salt: envelope.salt ? toBase64(envelope.salt) : null,
    iv: envelope.iv ? toBase64(envelope.iv) : null,
    payload: toBase64(envelope.payload),
    sig: toBase64(envelope.sig),
  });
}

/** The one serialization of an envelope, from its members' base64 text. */
function envelopeText(e: {
  v: number;
  alg: string;
  kid: string;
  enc: string;
  salt: string | null;
  iv: string | null;
  payload: string;
  sig: string;
}): string {
  const encryption =
    e.enc === "none" ? `"enc":"none"` : `"enc":"${e.enc}","salt":"${e.salt ?? ""}","iv":"${e.iv ?? ""}"`;
  return `{"v":${e.v},"alg":"${e.alg}","kid":"${e.kid}",${encryption},"payload":"${e.payload}","sig":"${e.sig}"}`;
}

function parseEnvelope(bytes: Uint8Array): Envelope | "MALFORMED" | "UNSUPPORTED" {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    return "MALFORMED";
  }
  if (!isRecord(value)) return "MALFORMED";
  const { v, alg, kid, enc } = value;
  if (typeof v !== "number" || typeof alg !== "string" || typeof enc !== "string") return "MALFORMED";
  if (v !== LICENSE_FILE_VERSION || alg !== "Ed25519" || (enc !== "none" && enc !== "aes-256-gcm"))
    return "UNSUPPORTED";
  if (typeof kid !== "string" || !KID_PATTERN.test(kid)) return "MALFORMED";
  const encrypted = enc === "aes-256-gcm";
  const salt = encrypted ? base64Member(value.salt, SALT_BYTES) : null;
  const iv = encrypted ? base64Member(value.iv, IV_BYTES) : null;
  const payload = base64Member(value.payload);
  const sig = base64Member(value.sig, SIGNATURE_BYTES);
  if ((encrypted && (!salt || !iv)) || !payload || !sig) return "MALFORMED";
  if (payload.length < (encrypted ? TAG_BYTES + 1 : 1)) return "MALFORMED";
  const envelope: Envelope = { v, alg, kid, enc, salt, iv, payload, sig };
  // anything but the one serialization (spacing, member order, escapes, extra members) is refused,
  // so that no byte of a file can change without the file being rejected
  // (compared as text: the members' base64 is canonical, so it is what re-encoding would give)
  const expected = envelopeText({
    v,
    alg,
    kid,
    enc,
    salt: encrypted ? (value.salt as string) : null,
    iv: encrypted ? (value.iv as string) : null,
    payload: value.payload as string,
    sig: value.sig as string,
  });
  return expected === text ? envelope : "MALFORMED";
}

function base64Member(value: unknown, length?: number): Uint8Array<ArrayBuffer> | null {
  if (typeof value !== "string") return null;
  const bytes = fromBase64(value);
  return bytes && (length === undefined || bytes.length === length) ? bytes : null;
}

function armor(bytes: Uint8Array): string {
  const base64 = toBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += LINE_LENGTH) lines.push(base64.slice(i, i + LINE_LENGTH));
  return `${LICENSE_FILE_ARMOR_BEGIN}\n${lines.join("\n")}\n${LICENSE_FILE_ARMOR_END}\n`;
}

/**
 * The envelope bytes of a file in canonical armor. Accepted besides the canonical text: the same
 * with every line ending CRLF, and either without its final line ending — what editors and
 * copy-paste do to text files. Nothing else, so any other changed byte rejects the file.
 */
function unarmor(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length > MAX_FILE_CHARS) return null;
  // line endings: all LF, or all CRLF (checked without building the canonical text again: that
  // re-encoding was a third of a verification)
  let lf = text;
  if (text.includes("\r")) {
    lf = text.replaceAll("\r\n", "\n");
    if (lf.includes("\r") || lf.length + countOf(lf, "\n") !== text.length) return null;
  }
  if (lf.endsWith("\n")) lf = lf.slice(0, -1);
  const begin = `${LICENSE_FILE_ARMOR_BEGIN}\n`;
  const end = `\n${LICENSE_FILE_ARMOR_END}`;
  if (!lf.startsWith(begin) || !lf.endsWith(end) || lf.length <= begin.length + end.length) return null;
  // full lines of LINE_LENGTH symbols, then one of 1 to LINE_LENGTH
  const lines = lf.slice(begin.length, lf.length - end.length).split("\n");
  const last = lines.length - 1;
  for (let i = 0; i < last; i++) if (lines[i]?.length !== LINE_LENGTH) return null;
  const tail = lines[last]?.length ?? 0;
  if (tail < 1 || tail > LINE_LENGTH) return null;
  // canonical base64 (fromBase64), so these bytes armor back to exactly this text
  return fromBase64(lines.join(""));
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}

// --- the payload -------------------------------------------------------------------------------

/** The payload with its members in the documented order (the order is not required, only tidy). */
function payloadInOrder(p: LicenseFilePayload): LicenseFilePayload {
  return {
    v: p.v,
    id: p.id,
    kid: p.kid,
    issuedAt: p.issuedAt,
    notBefore: p.notBefore,
    expiresAt: p.expiresAt,
    fingerprint: p.fingerprint,
    license: {
      id: p.license.id,
      keyHash: p.license.keyHash,
      type: p.license.type,
      seats: p.license.seats,
      startsAt: p.license.startsAt,
      expiresAt: p.license.expiresAt,
    },
    customer: { id: p.customer.id, name: p.customer.name },
    product: { id: p.product.id, code: p.product.code, name: p.product.name },
    entitlements: p.entitlements.map((e) => ({
      code: e.code,
      name: e.name,
      kind: e.kind,
      unit: e.unit,
      quota: e.quota,
      quotaPeriod: e.quotaPeriod,
    })),
  };
}

/** The payload if it has every member of version 1 with the right type (unknown members are ignored). */
function checkPayload(value: unknown): LicenseFilePayload | "MALFORMED" | "UNSUPPORTED" {
  if (!isRecord(value)) return "MALFORMED";
  if (typeof value.v !== "number") return "MALFORMED";
  if (value.v !== LICENSE_FILE_VERSION) return "UNSUPPORTED";
  const { license, customer, product, entitlements } = value;
  const ok =
    isString(value.id) &&
    isString(value.kid) &&
    isTimestamp(value.issuedAt) &&
    isTimestamp(value.notBefore) &&
    isTimestamp(value.expiresAt) &&
    (value.fingerprint === null || isString(value.fingerprint)) &&
    isRecord(license) &&
    isString(license.id) &&
    typeof license.keyHash === "string" &&
    /^[0-9a-f]{64}$/.test(license.keyHash) &&
    (license.type === "floating" || license.type === "node_locked") &&
    isCount(license.seats) &&
    isTimestamp(license.startsAt) &&
    (license.expiresAt === null || isTimestamp(license.expiresAt)) &&
    isRecord(customer) &&
    isString(customer.id) &&
    isString(customer.name) &&
    isRecord(product) &&
    isString(product.id) &&
    isString(product.code) &&
    isString(product.name) &&
    Array.isArray(entitlements) &&
    entitlements.every(
      (e) =>
        isRecord(e) &&
        isString(e.code) &&
        isString(e.name) &&
        (e.kind === "boolean" || e.kind === "metered") &&
        (e.unit === null || typeof e.unit === "string") &&
        (e.quota === null || isCount(e.quota)) &&
        (e.quotaPeriod === "total" || e.quotaPeriod === "day" || e.quotaPeriod === "month"),
    ) &&
    Date.parse(value.notBefore) < Date.parse(value.expiresAt);
  return ok ? (value as unknown as LicenseFilePayload) : "MALFORMED";
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isTimestamp = (value: unknown): value is string =>
  typeof value === "string" && TIMESTAMP_PATTERN.test(value) && !Number.isNaN(Date.parse(value));

// --- keys and encodings ------------------------------------------------------------------------

/** The AES-256-GCM key of an encrypted payload: HKDF-SHA-256 over the fingerprint's UTF-8 bytes. */
async function payloadKey(fingerprint: string, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(fingerprint), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: encoder.encode(HKDF_INFO) },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/**
 * node:crypto when running in Node (or Electron's main process), reached through
 * `process.getBuiltinModule` so that bundlers for browsers see no import of it; undefined elsewhere.
 */
const NODE_CRYPTO = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as typeof NodeCrypto | undefined;

const nodeKeys = new Map<string, NodeCrypto.KeyObject>();

function nodePublicKey(entry: PublicKeyEntry): NodeCrypto.KeyObject {
  let key = nodeKeys.get(entry.publicKeyPem);
  if (!key) {
    if (!NODE_CRYPTO) throw new Error("node:crypto is not available");
    key = NODE_CRYPTO.createPublicKey(entry.publicKeyPem);
    if (key.asymmetricKeyType !== "ed25519") throw new TypeError("not an Ed25519 key");
    if (nodeKeys.size > 64) nodeKeys.clear();
    nodeKeys.set(entry.publicKeyPem, key);
  }
  return key;
}

/** Imported keys by PEM: a verifier checks many files with one keyring. */
const importedKeys = new Map<string, Promise<CryptoKey>>();

function importPublicKey(entry: PublicKeyEntry): Promise<CryptoKey> {
  let key = importedKeys.get(entry.publicKeyPem);
  if (!key) {
    key = importPublicKeyOnce(entry);
    // a key that does not import is not kept: the error is the caller's to see each time
    key.catch(() => importedKeys.delete(entry.publicKeyPem));
    if (importedKeys.size > 64) importedKeys.clear();
    importedKeys.set(entry.publicKeyPem, key);
  }
  return key;
}

async function importPublicKeyOnce(entry: PublicKeyEntry): Promise<CryptoKey> {
  const body = entry.publicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  const der = fromBase64(body);
  if (!der) throw new TypeError(`public key ${entry.kid}: not an SPKI PEM`);
  try {
    return await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    throw new TypeError(`public key ${entry.kid}: not an Ed25519 SPKI key`, { cause: error });
  }
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (a table: btoa over a binary string was most of a verification). */
function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out.push(
      BASE64_ALPHABET.charAt(n >>> 18) +
        BASE64_ALPHABET.charAt((n >>> 12) & 63) +
        BASE64_ALPHABET.charAt((n >>> 6) & 63) +
        BASE64_ALPHABET.charAt(n & 63),
    );
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out.push(`${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}==`);
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out.push(
      `${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}${BASE64_ALPHABET.charAt((n >>> 6) & 63)}=`,
    );
  }
  return out.join("");
}

/** with a length that is a multiple of 4: groups of 4 symbols, the last one padded to 2 or 3 */
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 with padding, canonical only: unused bits zero (atob alone would accept more). */
function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return null;
  // canonical: the bits the padding leaves unused in the last symbol are zero
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (padding > 0) {
    const last = BASE64_ALPHABET.indexOf(text.charAt(text.length - padding - 1));
    if ((last & (padding === 2 ? 0b1111 : 0b11)) !== 0) return null;
  }
  if (NODE_BUFFER) {
    const decoded = NODE_BUFFER.from(text, "base64");
    return new Uint8Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength));
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Node's Buffer where it exists (a faster base64 decoder); the pattern above already checked the text. */
const NODE_BUFFER = (globalThis as { Buffer?: typeof Buffer }).Buffer;
