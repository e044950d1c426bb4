// License keys: 25 symbols of Crockford's base32 (125 random bits from the CSPRNG) in five groups
// of five: no I, L, O or U, so a key read aloud or retyped from paper survives.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS = 5;
const GROUP_LENGTH = 5;
export const LICENSE_KEY_PATTERN = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

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

/**
 * The canonical form of a key as a person may type it: case, spaces and dashes do not matter,
 * and the letters Crockford's alphabet leaves out are read as the digits they look like.
 * Returns null when the result is not a well-formed key.
 */
export function normalizeLicenseKey(input: string): string | null {
  const symbols = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (symbols.length !== GROUPS * GROUP_LENGTH) return null;
  const key = symbols.match(new RegExp(`.{${GROUP_LENGTH}}`, "g"))?.join("-") ?? "";
  return LICENSE_KEY_PATTERN.test(key) ? key : null;
}
