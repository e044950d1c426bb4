// The SDK's offline .lic verification per second, next to raw node:crypto Ed25519 verification
// of the same signature in the same run (the floor: a verify of the file's signed bytes).
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { createLicenseFile, verifyLicenseFile, type LicenseFileContent } from "../sdk/src/offline.ts";

export interface VerifyFigures {
  sdkPerSecond: number;
  rawPerSecond: number;
}

async function rate(seconds: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

export async function benchSdkVerify(seconds: number): Promise<VerifyFigures> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const now = new Date();
  const payload: LicenseFileContent = {
    id: "bench",
    issuedAt: now.toISOString(),
    notBefore: now.toISOString(),
    expiresAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
    fingerprint: "machine-1",
    license: {
      id: "lic-1",
      keyHash: "0".repeat(64),
      type: "floating",
      seats: 5,
      startsAt: now.toISOString(),
      expiresAt: null,
    },
    customer: { id: "c-1", name: "Initech" },
    product: { id: "p-1", code: "acme-cad", name: "Acme CAD" },
    entitlements: [
      { code: "export-pdf", name: "Export", kind: "boolean", unit: null, quota: null, quotaPeriod: "total" },
    ],
  };
  const text = await createLicenseFile({ payload, kid: "bench", sign: (m) => sign(null, m, privateKey) });
  const keys = [{ kid: "bench", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() }];
  const check = await verifyLicenseFile(text, keys, { fingerprint: "machine-1", now });
  if (!check.valid) throw new Error(`bench file does not verify: ${check.reason}`);
  const message = Buffer.from("x".repeat(700));
  const signature = sign(null, message, privateKey);
  const sdkPerSecond = await rate(seconds, () =>
    verifyLicenseFile(text, keys, { fingerprint: "machine-1", now }),
  );
  const rawPerSecond = await rate(seconds, () => verify(null, message, publicKey, signature));
  return { sdkPerSecond, rawPerSecond };
}
