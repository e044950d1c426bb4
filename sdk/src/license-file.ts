// Offline license files (.lic): an armored, Ed25519-signed license payload, optionally bound to a
// machine fingerprint and then optionally encrypted for that machine. The format is specified in
// sdk/docs/license-file-v1.md; this module writes it (through a signing callback: the SDK never
// holds private keys) and verifies it, deciding what a file grants. Its parts in license-file/:
// format.ts (the format's constants and types, re-exported here), envelope.ts (armor, canonical
// envelope, signed bytes), payload.ts (payload shape), crypto.ts (signature check, payload key) and
// base64.ts. It uses only WebCrypto, TextEncoder/TextDecoder and atob/btoa, so it runs in Node ≥ 20,
// browsers and Electron renderers alike.
import { licenseKeyHash, type PublicKeyEntry } from "./grace-token.ts";
import { payloadKey, verifySignature } from "./license-file/crypto.ts";
import {
  armor,
  envelopeJson,
  IV_BYTES,
  KID_PATTERN,
  parseEnvelope,
  SALT_BYTES,
  SIGNATURE_BYTES,
  signedBytes,
  unarmor,
  type Envelope,
} from "./license-file/envelope.ts";
import {
  LICENSE_FILE_VERSION,
  type LicenseFileContent,
  type LicenseFileFailure,
  type LicenseFileResult,
} from "./license-file/format.ts";
import { checkPayload, payloadInOrder } from "./license-file/payload.ts";

export {
  LICENSE_FILE_ARMOR_BEGIN,
  LICENSE_FILE_ARMOR_END,
  LICENSE_FILE_EXTENSION,
  LICENSE_FILE_MEDIA_TYPE,
  LICENSE_FILE_VERSION,
} from "./license-file/format.ts";
export type {
  LicenseFileContent,
  LicenseFileEncryption,
  LicenseFileEntitlement,
  LicenseFileFailure,
  LicenseFilePayload,
  LicenseFileResult,
} from "./license-file/format.ts";

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
  const signatureOk = await verifySignature(
    entry,
    signedBytes(envelope),
    envelope.sig,
    options.engine ?? "auto",
  );
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
  // whichever ends the file first decides: its expiry, or the check-in it requires (a tie: OVERDUE)
  const checkInBy = payload.checkInBy === undefined ? null : Date.parse(payload.checkInBy);
  if (checkInBy !== null && now >= checkInBy && checkInBy <= expiresAt)
    return { valid: false, reason: "OVERDUE", checkInBy: new Date(checkInBy) };
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
