// Password hashing with scrypt (memory-hard, in node:crypto): "scrypt$N$r$p$salt$hash", base64url.
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** the highest N a stored hash may ask for (bounds the memory a forged hash can make us use) */
const N = 1 << 15;
const r = 8;
const p = 1;
const KEY_LENGTH = 32;
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../core/admins/schemas.ts";

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 128 * N * r * 2 },
      (error, key) => {
        if (error) reject(error);
        else resolve(key);
      },
    );
  });
}

/**
 * scrypt with a random salt. `cost` is log2(N): 15 for passwords people choose; random secrets
 * with enough entropy of their own (recovery codes, 50 bits) take a lighter 12.
 */
export async function hashPassword(password: string, cost = 15): Promise<string> {
  const n = 1 << cost;
  const salt = randomBytes(16);
  const hash = await derive(password, salt, { N: n, r, p });
  return ["scrypt", n, r, p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** Constant-time check; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, rr, pp, salt, hash] = parts as [string, string, string, string, string, string];
  if (!(Number(n) <= N) || Number(rr) !== r || Number(pp) !== p) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A random password for generated accounts: 20 characters from a copy-safe alphabet. */
export function generatePassword(): string {
  const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  return Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]).join("");
}
