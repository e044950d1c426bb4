// Standard base64 with padding for license files: a table encoder, and a decoder that accepts only
// the canonical spelling (so that no byte of a file can change without the file being rejected).
// No Node APIs needed (Node's Buffer is used where it exists, as a faster decoder).

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (a table: btoa over a binary string was most of a verification). */
export function toBase64(bytes: Uint8Array): string {
  const out: string[] = [];
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out.push(
      BASE64_ALPHABET.charAt(n >>> 18) +
        BASE64_ALPHABET.charAt((n >>> 12) & 63) +
        BASE64_ALPHABET.charAt((n >>> 6) & 63) +
        BASE64_ALPHABET.charAt(n & 63),
    );
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out.push(`${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}==`);
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out.push(
      `${BASE64_ALPHABET.charAt(n >>> 18)}${BASE64_ALPHABET.charAt((n >>> 12) & 63)}${BASE64_ALPHABET.charAt((n >>> 6) & 63)}=`,
    );
  }
  return out.join("");
}

/** with a length that is a multiple of 4: groups of 4 symbols, the last one padded to 2 or 3 */
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 with padding, canonical only: unused bits zero (atob alone would accept more). */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return null;
  // canonical: the bits the padding leaves unused in the last symbol are zero
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (padding > 0) {
    const last = BASE64_ALPHABET.indexOf(text.charAt(text.length - padding - 1));
    if ((last & (padding === 2 ? 0b1111 : 0b11)) !== 0) return null;
  }
  if (NODE_BUFFER) {
    const decoded = NODE_BUFFER.from(text, "base64");
    return new Uint8Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength));
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Node's Buffer where it exists (a faster base64 decoder); the pattern above already checked the text. */
const NODE_BUFFER = (globalThis as { Buffer?: typeof Buffer }).Buffer;
