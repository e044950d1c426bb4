// License keys: 25 symbols of Crockford's base32 (125 random bits from the CSPRNG) in five groups
// of five: no I, L, O or U, so a key read aloud or retyped from paper survives.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS = 5;
const GROUP_LENGTH = 5;
// the canonical form lives in the SDK, which hashes keys exactly as the server does
export { LICENSE_KEY_PATTERN, normalizeLicenseKey } from "@license-server/sdk/offline";

export function generateLicenseKey(): string {
  const symbols = GROUPS * GROUP_LENGTH;
  const bytes = randomBytes(symbols);
  let key = "";
  for (let i = 0; i < symbols; i++) {
    if (i > 0 && i % GROUP_LENGTH === 0) key += "-";
    // 256 is a multiple of 32: the low five bits of a uniform byte are uniform
    key += ALPHABET.charAt((bytes[i] ?? 0) & 31);
  }
  return key;
}

/** A search for part of a key needs this many of its symbols (fewer would match most keys). */
export const MIN_KEY_FRAGMENT = 4;
const FRAGMENT_PATTERN = /^[0-9A-HJKMNP-TV-Z-]+$/;

/**
 * What a part of a key, as a person types it from the middle of one, looks like in stored keys:
 * upper-cased, its dashes (if any, wherever typed) put where they fall for each of the five
 * places it may start in a group. Empty when the text is not made of key symbols (then it is no
 * key's part).
 */
export function keyFragments(input: string): string[] {
  const text = input.trim().toUpperCase();
  if (!FRAGMENT_PATTERN.test(text)) return [];
  const symbols = text.replace(/-/g, "");
  if (symbols.length < MIN_KEY_FRAGMENT || symbols.length > GROUPS * GROUP_LENGTH) return [];
  const variants = new Set<string>();
  for (let offset = 0; offset < GROUP_LENGTH; offset++) {
    let variant = "";
    for (let i = 0; i < symbols.length; i++) {
      if (i > 0 && (offset + i) % GROUP_LENGTH === 0) variant += "-";
      variant += symbols.charAt(i);
    }
    variants.add(variant);
  }
  return [...variants];
}
