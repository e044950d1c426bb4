// API keys: "lsk_" + 8 lookup characters + 32 secret characters (base62, ~238 random bits in all).
// The first 12 characters ("lsk_" + lookup) are stored as the non-secret prefix; the whole key is
// stored only as its SHA-256 (a key this random needs no slow hash) and compared in constant time.
import { createHash, randomInt, timingSafeEqual } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const API_KEY_PATTERN = /^lsk_[0-9A-Za-z]{40}$/;
const PREFIX_LENGTH = 12;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const body = Array.from({ length: 40 }, () => ALPHABET.charAt(randomInt(ALPHABET.length))).join("");
  const key = `lsk_${body}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function apiKeyPrefix(key: string): string | null {
  return API_KEY_PATTERN.test(key) ? key.slice(0, PREFIX_LENGTH) : null;
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(key), "hex");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
