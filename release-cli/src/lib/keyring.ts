// The vendor's Ed25519 keys in files: a keyring directory with `keyring.json` (public parts and
// each key's status) and one passphrase-protected private key file per key (`<kid>.key`, mode
// 0600: PKCS#8 sealed with AES-256-GCM under a scrypt-derived key). The key id is the server's
// scheme: the first 16 hex digits of SHA-256 over the raw 32-byte public key.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scrypt,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError } from "./run-program.ts";

export const KEYRING_FILE = "keyring.json";
const KEYRING_FORMAT = "license-release-keyring";
const PRIVATE_KEY_FORMAT = "license-release-private-key";
/** scrypt cost: 64 MiB and ~0.2 s per unlock on a small machine */
const SCRYPT = { N: 2 ** 16, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 12;

export type KeyStatus = "active" | "published" | "retired";

export interface VendorKey {
  kid: string;
  algorithm: "Ed25519";
  /** active: signs; published: verifies only; retired: left out of exported keyrings */
  status: KeyStatus;
  publicKeyPem: string;
  createdAt: string;
  retiredAt?: string;
}

interface KeyringFile {
  format: typeof KEYRING_FORMAT;
  version: 1;
  keys: VendorKey[];
}

interface PrivateKeyFile {
  format: typeof PRIVATE_KEY_FORMAT;
  version: 1;
  kid: string;
  algorithm: "Ed25519";
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  cipher: "aes-256-gcm";
  iv: string;
  /** PKCS#8 DER, encrypted, followed by the 16-byte tag; base64 */
  ciphertext: string;
}

/** An entry of the public keyring the SDK embeds. */
export interface PublicKeyEntry {
  kid: string;
  publicKeyPem: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256")
    .update(der.subarray(der.length - 32))
    .digest("hex")
    .slice(0, 16);
}

function derive(
  passphrase: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolveKey, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, 32, { ...params, maxmem: 256 * 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolveKey(key);
    });
  });
}

export class Keyring {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get exists(): boolean {
    return existsSync(join(this.dir, KEYRING_FILE));
  }

  read(): VendorKey[] {
    const path = join(this.dir, KEYRING_FILE);
    if (!existsSync(path))
      throw new CliError(`no keyring in ${this.dir}: run \`license-release keys generate\` first`);
    let file: Partial<Record<keyof KeyringFile, unknown>>;
    try {
      file = JSON.parse(readFileSync(path, "utf8")) as typeof file;
    } catch (error) {
      throw new CliError(`${path} cannot be read: ${(error as Error).message}`);
    }
    if (file.format !== KEYRING_FORMAT || file.version !== 1 || !Array.isArray(file.keys))
      throw new CliError(`${path} is not a license-release keyring`);
    return file.keys as VendorKey[];
  }

  private write(keys: VendorKey[]): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, KEYRING_FILE);
    const file: KeyringFile = { format: KEYRING_FORMAT, version: 1, keys };
    writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2) + "\n");
    renameSync(`${path}.tmp`, path);
  }

  active(): VendorKey {
    const key = this.read().find((k) => k.status === "active");
    if (!key)
      throw new CliError(`the keyring in ${this.dir} has no active key: run \`license-release keys rotate\``);
    return key;
  }

  /** Active and published keys, for verifiers. */
  publicKeys(): PublicKeyEntry[] {
    return this.read()
      .filter((k) => k.status !== "retired")
      .map((k) => ({ kid: k.kid, publicKeyPem: k.publicKeyPem }));
  }

  /** A new key that signs from now on; the previous active key stays published. */
  async addKey(passphrase: string, now = new Date()): Promise<VendorKey> {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH)
      throw new CliError(`the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
    const keys = this.exists ? this.read() : [];
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const kid = keyIdOf(publicKey);
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", await derive(passphrase, salt, SCRYPT), iv);
    cipher.setAAD(Buffer.from(`${PRIVATE_KEY_FORMAT}:${kid}`));
    const der = privateKey.export({ type: "pkcs8", format: "der" });
    const sealed = Buffer.concat([cipher.update(der), cipher.final(), cipher.getAuthTag()]);
    const file: PrivateKeyFile = {
      format: PRIVATE_KEY_FORMAT,
      version: 1,
      kid,
      algorithm: "Ed25519",
      kdf: { name: "scrypt", ...SCRYPT, salt: salt.toString("base64") },
      cipher: "aes-256-gcm",
      iv: iv.toString("base64"),
      ciphertext: sealed.toString("base64"),
    };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const keyPath = join(this.dir, `${kid}.key`);
    writeFileSync(keyPath, JSON.stringify(file, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    chmodSync(keyPath, 0o600);
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    writeFileSync(join(this.dir, `${kid}.pub.pem`), publicKeyPem);
    const key: VendorKey = {
      kid,
      algorithm: "Ed25519",
      status: "active",
      publicKeyPem,
      createdAt: now.toISOString(),
    };
    this.write([
      ...keys.map((k) => (k.status === "active" ? { ...k, status: "published" as const } : k)),
      key,
    ]);
    return key;
  }

  retire(kid: string, now = new Date()): VendorKey {
    const keys = this.read();
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new CliError(`no key ${kid} in ${this.dir}`);
    if (key.status === "active") throw new CliError(`${kid} is the active key: rotate first, then retire it`);
    const retired: VendorKey = { ...key, status: "retired", retiredAt: now.toISOString() };
    this.write(keys.map((k) => (k.kid === kid ? retired : k)));
    return retired;
  }

  /** The private key of `kid`, opened with the passphrase. */
  async unlock(kid: string, passphrase: string): Promise<KeyObject> {
    const path = join(this.dir, `${kid}.key`);
    if (!existsSync(path)) throw new CliError(`the private key of ${kid} is missing (${path})`);
    const stored = JSON.parse(readFileSync(path, "utf8")) as Partial<Record<keyof PrivateKeyFile, unknown>>;
    if (stored.format !== PRIVATE_KEY_FORMAT || stored.version !== 1 || stored.kid !== kid)
      throw new CliError(`${path} is not a license-release private key`);
    const file = stored as PrivateKeyFile;
    const sealed = Buffer.from(file.ciphertext, "base64");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      await derive(passphrase, Buffer.from(file.kdf.salt, "base64"), file.kdf),
      Buffer.from(file.iv, "base64"),
    );
    decipher.setAAD(Buffer.from(`${PRIVATE_KEY_FORMAT}:${kid}`));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    let der: Buffer;
    try {
      der = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
    } catch {
      throw new CliError(`wrong passphrase for key ${kid} (or its file was changed)`);
    }
    const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    if (keyIdOf(createPublicKey(privateKey)) !== kid)
      throw new CliError(`the private key file of ${kid} holds another key`);
    return privateKey;
  }
}

/** Ed25519 over `context ‖ "\n" ‖ data`: a signature for one purpose cannot be replayed for another. */
export function signWithContext(privateKey: KeyObject, context: string, data: Buffer): Buffer {
  return sign(null, Buffer.concat([Buffer.from(`${context}\n`), data]), privateKey);
}

export function verifyWithContext(
  publicKeyPem: string,
  context: string,
  data: Buffer,
  signature: Buffer,
): boolean {
  try {
    return verify(
      null,
      Buffer.concat([Buffer.from(`${context}\n`), data]),
      createPublicKey(publicKeyPem),
      signature,
    );
  } catch {
    return false;
  }
}

/** Reads a public keyring file: `[{kid, publicKeyPem}]`, or `{keys: [...]}` (the server's answer). */
export function readPublicKeyring(path: string): PublicKeyEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(path), "utf8"));
  } catch (error) {
    throw new CliError(`${path} cannot be read as a keyring: ${(error as Error).message}`);
  }
  const list = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new CliError(`${path} is not a keyring ([{kid, publicKeyPem}])`);
  return list.map((entry: unknown, i) => {
    const e = entry as { kid?: unknown; publicKeyPem?: unknown };
    if (typeof e.kid !== "string" || typeof e.publicKeyPem !== "string")
      throw new CliError(`${path}: entry ${i} needs kid and publicKeyPem`);
    return { kid: e.kid, publicKeyPem: e.publicKeyPem };
  });
}

/** Keys of both rings, each kid once (the first wins). */
export function mergeKeyrings(...rings: PublicKeyEntry[][]): PublicKeyEntry[] {
  const seen = new Map<string, PublicKeyEntry>();
  for (const entry of rings.flat()) if (!seen.has(entry.kid)) seen.set(entry.kid, entry);
  return [...seen.values()];
}
