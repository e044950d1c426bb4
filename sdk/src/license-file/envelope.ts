// The license file's bytes (sdk/docs/license-file-v1.md): the armor around the base64 envelope,
// the envelope's one accepted serialization, and the bytes its signature covers. Parsing accepts
// only the canonical form (plus CRLF line endings and a missing final line ending), so that no byte
// of a file can change without the file being rejected.
import { fromBase64, toBase64 } from "./base64.ts";
import {
  LICENSE_FILE_ARMOR_BEGIN,
  LICENSE_FILE_ARMOR_END,
  LICENSE_FILE_VERSION,
  type LicenseFileEncryption,
} from "./format.ts";
import { isRecord } from "./payload.ts";

const LINE_LENGTH = 64;
/** First line of the signed bytes: separates them from anything else the same key signs. */
const SIGNING_CONTEXT = "license-server/license-file/v1";
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SIGNATURE_BYTES = 64;
/** Larger input is refused unread: real files are a few kilobytes. */
const MAX_FILE_CHARS = 1_000_000;
export const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface Envelope {
  v: 1;
  alg: "Ed25519";
  kid: string;
  enc: LicenseFileEncryption;
  salt: Uint8Array<ArrayBuffer> | null;
  iv: Uint8Array<ArrayBuffer> | null;
  payload: Uint8Array<ArrayBuffer>;
  sig: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/** What the signature covers: the envelope's parameters as ASCII lines, then the payload bytes. */
export function signedBytes(envelope: Omit<Envelope, "sig">): Uint8Array<ArrayBuffer> {
  const header = encoder.encode(
    `${SIGNING_CONTEXT}\nalg=${envelope.alg}\nkid=${envelope.kid}\nenc=${envelope.enc}\n` +
      `salt=${envelope.salt ? toBase64(envelope.salt) : ""}\niv=${envelope.iv ? toBase64(envelope.iv) : ""}\n\n`,
  );
  const message = new Uint8Array(header.length + envelope.payload.length);
  message.set(header);
  message.set(envelope.payload, header.length);
  return message;
}

/** The envelope's one accepted serialization: these members in this order, no whitespace. */
export function envelopeJson(envelope: Envelope): string {
  return envelopeText({
    ...envelope,
    salt: envelope.salt ? toBase64(envelope.salt) : null,
    iv: envelope.iv ? toBase64(envelope.iv) : null,
    payload: toBase64(envelope.payload),
    sig: toBase64(envelope.sig),
  });
}

/** The one serialization of an envelope, from its members' base64 text. */
function envelopeText(e: {
  v: number;
  alg: string;
  kid: string;
  enc: string;
  salt: string | null;
  iv: string | null;
  payload: string;
  sig: string;
}): string {
  const encryption =
    e.enc === "none" ? `"enc":"none"` : `"enc":"${e.enc}","salt":"${e.salt ?? ""}","iv":"${e.iv ?? ""}"`;
  return `{"v":${e.v},"alg":"${e.alg}","kid":"${e.kid}",${encryption},"payload":"${e.payload}","sig":"${e.sig}"}`;
}

export function parseEnvelope(bytes: Uint8Array): Envelope | "MALFORMED" | "UNSUPPORTED" {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    return "MALFORMED";
  }
  if (!isRecord(value)) return "MALFORMED";
  const { v, alg, kid, enc } = value;
  if (typeof v !== "number" || typeof alg !== "string" || typeof enc !== "string") return "MALFORMED";
  if (v !== LICENSE_FILE_VERSION || alg !== "Ed25519" || (enc !== "none" && enc !== "aes-256-gcm"))
    return "UNSUPPORTED";
  if (typeof kid !== "string" || !KID_PATTERN.test(kid)) return "MALFORMED";
  const encrypted = enc === "aes-256-gcm";
  const salt = encrypted ? base64Member(value.salt, SALT_BYTES) : null;
  const iv = encrypted ? base64Member(value.iv, IV_BYTES) : null;
  const payload = base64Member(value.payload);
  const sig = base64Member(value.sig, SIGNATURE_BYTES);
  if ((encrypted && (!salt || !iv)) || !payload || !sig) return "MALFORMED";
  if (payload.length < (encrypted ? TAG_BYTES + 1 : 1)) return "MALFORMED";
  const envelope: Envelope = { v, alg, kid, enc, salt, iv, payload, sig };
  // anything but the one serialization (spacing, member order, escapes, extra members) is refused,
  // so that no byte of a file can change without the file being rejected
  // (compared as text: the members' base64 is canonical, so it is what re-encoding would give)
  const expected = envelopeText({
    v,
    alg,
    kid,
    enc,
    salt: encrypted ? (value.salt as string) : null,
    iv: encrypted ? (value.iv as string) : null,
    payload: value.payload as string,
    sig: value.sig as string,
  });
  return expected === text ? envelope : "MALFORMED";
}

function base64Member(value: unknown, length?: number): Uint8Array<ArrayBuffer> | null {
  if (typeof value !== "string") return null;
  const bytes = fromBase64(value);
  return bytes && (length === undefined || bytes.length === length) ? bytes : null;
}

export function armor(bytes: Uint8Array): string {
  const base64 = toBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += LINE_LENGTH) lines.push(base64.slice(i, i + LINE_LENGTH));
  return `${LICENSE_FILE_ARMOR_BEGIN}\n${lines.join("\n")}\n${LICENSE_FILE_ARMOR_END}\n`;
}

/**
 * The envelope bytes of a file in canonical armor. Accepted besides the canonical text: the same
 * with every line ending CRLF, and either without its final line ending — what editors and
 * copy-paste do to text files. Nothing else, so any other changed byte rejects the file.
 */
export function unarmor(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length > MAX_FILE_CHARS) return null;
  // line endings: all LF, or all CRLF (checked without building the canonical text again: that
  // re-encoding was a third of a verification)
  let lf = text;
  if (text.includes("\r")) {
    lf = text.replaceAll("\r\n", "\n");
    if (lf.includes("\r") || lf.length + countOf(lf, "\n") !== text.length) return null;
  }
  if (lf.endsWith("\n")) lf = lf.slice(0, -1);
  const begin = `${LICENSE_FILE_ARMOR_BEGIN}\n`;
  const end = `\n${LICENSE_FILE_ARMOR_END}`;
  if (!lf.startsWith(begin) || !lf.endsWith(end) || lf.length <= begin.length + end.length) return null;
  // full lines of LINE_LENGTH symbols, then one of 1 to LINE_LENGTH
  const lines = lf.slice(begin.length, lf.length - end.length).split("\n");
  const last = lines.length - 1;
  for (let i = 0; i < last; i++) if (lines[i]?.length !== LINE_LENGTH) return null;
  const tail = lines[last]?.length ?? 0;
  if (tail < 1 || tail > LINE_LENGTH) return null;
  // canonical base64 (fromBase64), so these bytes armor back to exactly this text
  return fromBase64(lines.join(""));
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}
