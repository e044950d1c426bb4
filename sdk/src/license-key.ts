// The canonical form of a license key, shared by the server and the SDK: the server looks keys up
// and hashes them (grace tokens, signed answers) in this form, so the SDK must hash the same one.
// Keys are 25 symbols of Crockford's base32 in five groups of five: no I, L, O or U.

const GROUPS = 5;
const GROUP_LENGTH = 5;
export const LICENSE_KEY_PATTERN = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

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
