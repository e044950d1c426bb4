// Feature gates and metered usage in an app: take a seat, enable what the license grants, count
// what is used (queued while offline, counted once), give the seat back on exit.
//
//   LICENSE_SERVER=127.0.0.1:50051 LICENSE_KEY=XXXXX-... PRODUCT=acme-cad \
//   PUBLIC_KEYS_FILE=keys.json CACHE_DIR=/tmp/acme npx tsx sdk/examples/feature-gate.ts
import { readFileSync } from "node:fs";
import { LicenseClient, type PublicKeyEntry } from "../src/index.ts";

const env = (name: string) => process.env[name] ?? "";
const client = new LicenseClient({
  server: env("LICENSE_SERVER"),
  licenseKey: env("LICENSE_KEY"),
  product: env("PRODUCT"),
  publicKeys: JSON.parse(readFileSync(env("PUBLIC_KEYS_FILE"), "utf8")) as PublicKeyEntry[],
  cacheDir: env("CACHE_DIR") || undefined,
  ...(process.env.FINGERPRINT ? { fingerprint: process.env.FINGERPRINT } : {}),
});
client.on("feature-changed", ({ added, removed }) => {
  console.log(
    `features changed: +${added.map((e) => e.featureCode).join(",")} -${removed.map((e) => e.featureCode).join(",")}`,
  );
});
client.on("grace-expiring", ({ expiresAt }) => {
  console.warn(`reconnect before ${expiresAt.toISOString()} to keep working`);
});

const started = await client.start();
if (!started.valid) {
  console.error(`not licensed: ${started.status}`);
  process.exit(3);
}

// the menu shows what the license grants
const menu = [
  { feature: "export-pdf", label: "Export to PDF" },
  { feature: "render-4k", label: "Render in 4K" },
];
for (const item of menu) console.log(`${client.hasFeature(item.feature) ? "[x]" : "[ ]"} ${item.label}`);

// a metered feature: each call is counted by the server against the quota
if (client.hasFeature("api-calls")) {
  const usage = await client.recordUsage("api-calls", 3);
  const quota = usage.quota === null ? "unlimited" : String(usage.quota);
  console.log(`api-calls: ${usage.status}, used ${usage.used ?? "?"} of ${quota}`);
}

await client.close(); // ends the session: the seat is free again
console.log(`session ended: ${client.sessionId === null ? "yes" : "no"}`);
