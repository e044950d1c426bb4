// An independent verifier of license files, written from the spec's text
// (sdk/docs/license-file-v1.md) with node:crypto only — none of the SDK's code — so that the SDK's
// writer is checked against the document, not against itself.
import { createDecipheriv, createPublicKey, hkdfSync, verify } from "node:crypto";

export type Independent = { ok: true; payload: Record<string, unknown> } | { ok: false; why: string };

const BEGIN = "-----BEGIN LICENSE FILE-----";
const END = "-----END LICENSE FILE-----";

function canonicalBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : null;
}

/** Section 7 of the spec, step by step, with node:crypto. */
export function independentVerify(
  text: string,
  keys: Record<string, string>,
  options: { now: Date; fingerprint?: string },
): Independent {
  const no = (why: string): Independent => ({ ok: false, why });
  // 2. armor: the body between the armor lines, then the four accepted forms of its re-armoring
  const lf = text.replace(/\r\n/g, "\n").replace(/\n$/, "");
  if (!lf.startsWith(`${BEGIN}\n`) || !lf.endsWith(`\n${END}`)) return no("armor");
  const body = canonicalBase64(lf.slice(BEGIN.length + 1, -(END.length + 1)).replace(/\n/g, ""));
  if (!body) return no("base64");
  const lines = body.toString("base64").match(/.{1,64}/g) ?? [];
  const canonical = `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
  const crlf = canonical.replace(/\n/g, "\r\n");
  if (![canonical, canonical.slice(0, -1), crlf, crlf.slice(0, -2)].includes(text)) return no("armor form");
  // 3. envelope: parse, check, re-serialize by concatenation, compare
  let env: Record<string, unknown>;
  try {
    env = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as Record<string, unknown>;
  } catch {
    return no("envelope json");
  }
  if (env.v !== 1 || env.alg !== "Ed25519" || (env.enc !== "none" && env.enc !== "aes-256-gcm"))
    return no("unsupported");
  const str = (name: string): string => {
    const value = env[name];
    return typeof value === "string" ? value : "";
  };
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(str("kid"))) return no("kid");
  const encrypted = env.enc === "aes-256-gcm";
  const serialized =
    `{"v":1,"alg":"Ed25519","kid":"${str("kid")}","enc":"${str("enc")}",` +
    (encrypted ? `"salt":"${str("salt")}","iv":"${str("iv")}",` : "") +
    `"payload":"${str("payload")}","sig":"${str("sig")}"}`;
  if (serialized !== body.toString("utf8")) return no("envelope not canonical");
  const salt = encrypted ? canonicalBase64(str("salt")) : Buffer.alloc(0);
  const iv = encrypted ? canonicalBase64(str("iv")) : Buffer.alloc(0);
  const payload = canonicalBase64(str("payload"));
  const sig = canonicalBase64(str("sig"));
  if (!salt || !iv || !payload || !sig || sig.length !== 64) return no("envelope members");
  if (encrypted && (salt.length !== 16 || iv.length !== 12 || payload.length < 17)) return no("sizes");
  if (payload.length < 1) return no("empty payload");
  // 4. key and signature (section 4)
  const pem = keys[str("kid")];
  if (!pem) return no("unknown key");
  const signed = Buffer.concat([
    Buffer.from(
      `license-server/license-file/v1\nalg=Ed25519\nkid=${str("kid")}\nenc=${str("enc")}\n` +
        `salt=${encrypted ? str("salt") : ""}\niv=${encrypted ? str("iv") : ""}\n\n`,
      "ascii",
    ),
    payload,
  ]);
  if (!verify(null, signed, createPublicKey(pem), sig)) return no("signature");
  // 5. decryption (section 5)
  let plaintext = payload;
  if (encrypted) {
    if (options.fingerprint === undefined) return no("fingerprint required");
    const key = Buffer.from(
      hkdfSync(
        "sha256",
        Buffer.from(options.fingerprint, "utf8"),
        salt,
        "license-server/license-file/v1/aes-256-gcm",
        32,
      ),
    );
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAuthTag(payload.subarray(payload.length - 16));
      plaintext = Buffer.concat([
        decipher.update(payload.subarray(0, payload.length - 16)),
        decipher.final(),
      ]);
    } catch {
      return no("fingerprint mismatch (decryption)");
    }
  }
  // 6.–8. payload, time, binding
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext)) as Record<string, unknown>;
  } catch {
    return no("payload json");
  }
  if (p.v !== 1 || p.kid !== env.kid) return no("payload version or kid");
  const time = (value: unknown) =>
    typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)
      ? Date.parse(value)
      : NaN;
  const notBefore = time(p.notBefore);
  const expiresAt = time(p.expiresAt);
  if (Number.isNaN(notBefore) || Number.isNaN(expiresAt) || notBefore >= expiresAt) return no("times");
  if (options.now.getTime() + 300_000 < notBefore) return no("not yet valid");
  if (options.now.getTime() >= expiresAt) return no("expired");
  if (p.fingerprint !== null) {
    if (options.fingerprint === undefined) return no("fingerprint required");
    if (p.fingerprint !== options.fingerprint) return no("fingerprint mismatch");
  }
  return { ok: true, payload: p };
}
