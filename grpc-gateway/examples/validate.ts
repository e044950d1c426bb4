// A gRPC client of license.v1.LicenseService that checks the server's signature, in a few lines
// (the SDK's LicenseClient does all of this, and more, for shipped software). Usage:
//   npx tsx grpc-gateway/examples/validate.ts <host:port> <license key> <product code> <fingerprint> <keys>
// keys: a keyring file as `license-release keys export-public --format json` writes it, or, as a
// demo shortcut, the URL of the server's GET /api/signing-key (real software embeds its keyring:
// keys fetched from the server prove nothing against a fake server that brings its own).
// Prints the status, the entitled features and when the grace token expires.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createChannel, createClient } from "nice-grpc";
import { AnswerKeyring, type PublicKeyEntry } from "../../sdk/src/index.ts";
import {
  LicenseServiceDefinition,
  StatusCode,
  ValidateResponse,
} from "../../src/generated/proto/license/v1/license.ts";

const [address, licenseKey, productCode, fingerprint, keyringFile] = process.argv.slice(2);
if (!address || !licenseKey || !productCode || !fingerprint || !keyringFile) {
  console.error(
    "usage: validate.ts <host:port> <license key> <product code> <fingerprint> <keyring.json | signing-key URL>",
  );
  process.exit(2);
}
const keys: PublicKeyEntry[] = /^https?:/.test(keyringFile)
  ? (
      (await (await fetch(keyringFile)).json()) as { keys: { kid: string; public_key_pem: string }[] }
    ).keys.map((k) => ({ kid: k.kid, publicKeyPem: k.public_key_pem }))
  : (JSON.parse(readFileSync(keyringFile, "utf8")) as PublicKeyEntry[]);
const channel = createChannel(address);
const client = createClient(LicenseServiceDefinition, channel);
try {
  const nonce = randomBytes(16);
  const signed = await client.validate(
    { licenseKey, nonce, client: { productCode, fingerprint, clientVersion: "example", hostname: "" } },
    { signal: AbortSignal.timeout(5000) },
  );
  // verify the bytes as received, then decode them; then check that the answer is for this request
  const check = new AnswerKeyring(keys).check({
    format: "protobuf",
    bytes: signed.answer,
    kid: signed.kid,
    signature: signed.signature,
  });
  const answer = ValidateResponse.decode(signed.answer);
  if (
    check !== "VALID" ||
    !Buffer.from(answer.binding?.nonce ?? []).equals(nonce) ||
    answer.binding?.fingerprint !== fingerprint
  ) {
    console.log(`UNTRUSTED ${check}`);
    process.exitCode = 3;
  } else {
    const status = StatusCode[answer.status].replace("STATUS_CODE_", "");
    const features = answer.entitlements.map((e) => e.featureCode).join(",");
    console.log(`${status} ${features || "-"} ${answer.graceTokenExpiresAt?.toISOString() ?? "-"}`);
    process.exitCode = status === "VALID" ? 0 : 1;
  }
} finally {
  channel.close();
}
