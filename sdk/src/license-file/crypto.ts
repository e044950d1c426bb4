// The license file's cryptography: the Ed25519 signature check against a keyring entry (node:crypto
// where it exists, WebCrypto elsewhere, with the imported keys kept) and the AES-256-GCM key of an
// encrypted payload, derived from the machine's fingerprint.
import type { PublicKeyEntry } from "../grace-token.ts";
// types only: erased from the output, so browser bundles see no node:crypto
import type * as NodeCrypto from "node:crypto";
import { fromBase64 } from "./base64.ts";

/** HKDF `info` of the payload key. */
const HKDF_INFO = "license-server/license-file/v1/aes-256-gcm";

const encoder = new TextEncoder();

/**
 * Whether `signature` is `entry`'s Ed25519 signature of `message`. "auto": node:crypto's synchronous
 * Ed25519 where it exists, WebCrypto elsewhere; "webcrypto": WebCrypto only. A key that is not an
 * Ed25519 SPKI key throws a TypeError.
 */
export async function verifySignature(
  entry: PublicKeyEntry,
  message: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  engine: "auto" | "webcrypto",
): Promise<boolean> {
  try {
    return NODE_CRYPTO && engine !== "webcrypto"
      ? NODE_CRYPTO.verify(null, message, nodePublicKey(entry), signature)
      : await crypto.subtle.verify("Ed25519", await importPublicKey(entry), signature, message);
  } catch (error) {
    throw new TypeError(`public key ${entry.kid}: not an Ed25519 SPKI key`, { cause: error });
  }
}

/** The AES-256-GCM key of an encrypted payload: HKDF-SHA-256 over the fingerprint's UTF-8 bytes. */
export async function payloadKey(fingerprint: string, salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
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
