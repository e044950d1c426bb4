// A command-line tool gated by a license: it runs only when the license holds, online, from an
// offline .lic file, or on the grace token through an outage, and says which.
//
//   [LICENSE_SERVER=127.0.0.1:50051] LICENSE_KEY=XXXXX-... PRODUCT=acme-cad \
//   PUBLIC_KEYS_FILE=keys.json [LICENSE_FILE=acme.lic] [CACHE_DIR=~/.cache/acme] \
//     npx tsx sdk/examples/licensed-cli.ts
//
// PUBLIC_KEYS_FILE holds the vendor's keyring as [{ "kid", "publicKeyPem" }] (GetPublicKeys, or
// the release CLI's export); a real product embeds it at build time instead of reading a file.
import { readFileSync } from "node:fs";
import { LicenseClient, type PublicKeyEntry } from "../src/index.ts";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}

const client = new LicenseClient({
  // unset on an air-gapped machine: the .lic file alone decides
  ...(process.env.LICENSE_SERVER ? { server: process.env.LICENSE_SERVER } : {}),
  licenseKey: setting("LICENSE_KEY"),
  product: setting("PRODUCT"),
  publicKeys: JSON.parse(readFileSync(setting("PUBLIC_KEYS_FILE"), "utf8")) as PublicKeyEntry[],
  ...(process.env.LICENSE_FILE ? { licenseFile: readFileSync(process.env.LICENSE_FILE, "utf8") } : {}),
  ...(process.env.CACHE_DIR ? { cacheDir: process.env.CACHE_DIR } : {}),
  ...(process.env.FINGERPRINT ? { fingerprint: process.env.FINGERPRINT } : {}),
  clientVersion: "1.0.0",
  requestTimeoutMs: 3000,
});

const result = await client.validate();
await client.close();
if (!result.valid) {
  console.error(`not licensed: ${result.status} — ${result.message}`);
  process.exit(3);
}
const until = result.validUntil ? ` until ${result.validUntil.toISOString()}` : "";
console.log(`licensed (${result.tier})${until}: ${result.license?.customerName ?? "?"}`);
console.log(`features: ${result.entitlements.map((e) => e.featureCode).join(", ") || "none"}`);
// ... the tool's real work would start here
