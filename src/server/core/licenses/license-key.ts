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
