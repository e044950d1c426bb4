// Signed answers of the licensing API (spec: sdk/docs/signed-answers-v1.md). Every answer the
// server gives shipped software is signed with its Ed25519 key over the exact bytes it sends:
//   gRPC: a SignedAnswer envelope { answer: <protobuf bytes of the response>, kid, signature };
//   REST: the JSON body as sent, with `License-Signature: keyid="…", algorithm="ed25519", signature="…"`.
// The signature covers a context string and the bytes, so an answer cannot pass for a .lic file,
// a grace token or the other encoding. The server signs with these functions; the SDK verifies.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { PublicKeyEntry } from "./grace-token.ts";

export type AnswerFormat = "protobuf" | "json";

/** What the signature covers: this ASCII prefix, then the answer's bytes. */
export const ANSWER_SIGNING_CONTEXT: Record<AnswerFormat, string> = {
  protobuf: "license.v1.answer/protobuf\n",
  json: "license.v1.answer/json\n",
};

/** The REST twin's signature header (lower case, as fetch's Headers give it). */
export const ANSWER_SIGNATURE_HEADER = "license-signature";

/** Nonces: fresh random bytes per request, within these lengths. */
export const NONCE_MIN_BYTES = 16;
export const NONCE_MAX_BYTES = 64;

/** An answer as it came off the wire, not yet trusted. */
export interface RawSignedAnswer {
  format: AnswerFormat;
  /** exactly the bytes that were signed (the protobuf answer, or the JSON body) */
  bytes: Uint8Array;
  /** "" when the answer carried no signature */
  kid: string;
  signature: Uint8Array;
}

export function answerSigningInput(format: AnswerFormat, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(ANSWER_SIGNING_CONTEXT[format], "ascii"), bytes]);
}

/** `keyid="<kid>", algorithm="ed25519", signature="<base64>"` */
export function formatAnswerSignatureHeader(kid: string, signature: Uint8Array): string {
  return `keyid="${kid}", algorithm="ed25519", signature="${Buffer.from(signature).toString("base64")}"`;
}

/** The header's key id and signature; null when it is missing or not in the documented form. */
export function parseAnswerSignatureHeader(
  value: string | null | undefined,
): { kid: string; signature: Uint8Array } | null {
  if (!value || value.length > 1024) return null;
  const params = new Map<string, string>();
  for (const part of value.split(",")) {
    // the spec's grammar (section 5): whitespace is SP and HTAB, values printable ASCII without `"`
    const match = /^[ \t]*([a-z]+)="([\x20\x21\x23-\x7e]*)"[ \t]*$/.exec(part);
    if (!match?.[1] || match[2] === undefined || params.has(match[1])) return null;
    params.set(match[1], match[2]);
  }
  const kid = params.get("keyid");
  const signature = params.get("signature");
  if (!kid || !signature || params.get("algorithm") !== "ed25519") return null;
  // canonical base64 of 64 bytes only (the last symbol's unused low bits zero): one spelling each
  if (!/^[A-Za-z0-9+/]{85}[AQgw]==$/.test(signature)) return null;
  return { kid, signature: Buffer.from(signature, "base64") };
}

export type AnswerSignatureCheck = "VALID" | "UNSIGNED" | "UNKNOWN_KEY" | "BAD_SIGNATURE";

/** The embedded public keys, imported once, checking answer signatures with node:crypto. */
export class AnswerKeyring {
  private readonly keys = new Map<string, KeyObject>();

  constructor(entries: readonly PublicKeyEntry[]) {
    for (const entry of entries) {
      const key = createPublicKey(entry.publicKeyPem);
      if (key.asymmetricKeyType !== "ed25519") throw new Error(`public key ${entry.kid} is not Ed25519`);
      this.keys.set(entry.kid, key);
    }
  }

  check(answer: RawSignedAnswer): AnswerSignatureCheck {
    if (!answer.kid || answer.signature.length === 0) return "UNSIGNED";
    const key = this.keys.get(answer.kid);
    if (!key) return "UNKNOWN_KEY";
    if (answer.signature.length !== 64) return "BAD_SIGNATURE";
    const ok = verify(null, answerSigningInput(answer.format, answer.bytes), key, answer.signature);
    return ok ? "VALID" : "BAD_SIGNATURE";
  }
}
