// Every answer of the licensing API is signed (spec: sdk/docs/signed-answers-v1.md): the server
// binds it to the request it answers (the request's nonce, the key's hash, the machine, the
// product, with the server's time in the answer itself) and signs the exact bytes it sends —
// the protobuf encoding inside a SignedAnswer envelope on gRPC, the JSON body on the REST twin.
import { createHash, sign } from "node:crypto";
import {
  answerSigningInput,
  formatAnswerSignatureHeader,
  NONCE_MAX_BYTES,
  NONCE_MIN_BYTES,
  type AnswerFormat,
} from "@license-server/sdk";
import type { SignedAnswer } from "../../generated/proto/license/v1/license.ts";
import { AnswerBinding, type ClientInfo } from "../../generated/proto/license/v1/license.ts";
import { DomainError } from "../core/errors.ts";
import { normalizeLicenseKey } from "../core/licenses/license-key.ts";
import type { Signer } from "../core/signing-keys/active-signer.ts";

/** What every licensing request carries for its answer's binding. */
export interface BindableRequest {
  nonce: Uint8Array;
  licenseKey?: string;
  client?: ClientInfo | undefined;
}

/** A request without a usable nonce is refused before anything runs. */
export function checkNonce(nonce: Uint8Array): void {
  if (nonce.length < NONCE_MIN_BYTES || nonce.length > NONCE_MAX_BYTES) {
    throw new DomainError("INVALID_ARGUMENT", "the request's nonce is missing or has the wrong length", [
      {
        path: "nonce",
        message: `must be ${NONCE_MIN_BYTES} to ${NONCE_MAX_BYTES} random bytes, fresh for each request (got ${nonce.length})`,
      },
    ]);
  }
}

/** The binding of an answer: the key's hash is "" for requests without a key (GetPublicKeys, StartTrial). */
export function answerBinding(rpc: string, request: BindableRequest): AnswerBinding {
  const key =
    request.licenseKey === undefined ? "" : (normalizeLicenseKey(request.licenseKey) ?? request.licenseKey);
  return AnswerBinding.fromPartial({
    rpc,
    nonce: request.nonce,
    licenseKeyHash: request.licenseKey === undefined ? "" : createHash("sha256").update(key).digest("hex"),
    fingerprint: request.client?.fingerprint ?? "",
    productCode: request.client?.productCode ?? "",
  });
}

function signBytes(signer: Signer, format: AnswerFormat, bytes: Uint8Array): Buffer {
  return sign(null, answerSigningInput(format, bytes), signer.privateKey);
}

/** The gRPC envelope: the encoded answer and its signature. */
export function sealProtobuf(signer: Signer, answer: Uint8Array): SignedAnswer {
  return { answer, kid: signer.kid, signature: signBytes(signer, "protobuf", answer) };
}

/** The REST twin's body as sent, and the `License-Signature` header over it. */
export function sealJson(signer: Signer, body: string): { body: string; signature: string } {
  return {
    body,
    signature: formatAnswerSignatureHeader(signer.kid, signBytes(signer, "json", Buffer.from(body, "utf8"))),
  };
}
