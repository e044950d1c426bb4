// AES-256-GCM for secrets at rest: "v1.<iv>.<ciphertext+tag>" in base64url. The optional
// associated data binds a ciphertext to its place (an admin id, a key id), so a value copied into
// another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export function encryptSecret(key: Buffer, plaintext: string, associatedData = ""): string {
  if (key.length !== 32) throw new Error("AES-256-GCM needs a 32-byte key");
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/** Throws when the value was not made with this key and associated data, or was altered. */
export function decryptSecret(key: Buffer, sealed: string, associatedData = ""): string {
  const [version, ivText, bodyText] = sealed.split(".");
  if (version !== "v1" || !ivText || !bodyText) throw new Error("not an encrypted value");
  const iv = Buffer.from(ivText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (iv.length !== IV_LENGTH || body.length < TAG_LENGTH) throw new Error("not an encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
  return Buffer.concat([
    decipher.update(body.subarray(0, body.length - TAG_LENGTH)),
    decipher.final(),
  ]).toString("utf8");
}
