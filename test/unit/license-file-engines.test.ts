// verifyLicenseFile signs off with node:crypto in Node and with WebCrypto in browsers: both
// engines accept the same file and refuse the same changes.
import { generateKeyPairSync, sign } from "node:crypto";
import { expect, it } from "vitest";
import { createLicenseFile, verifyLicenseFile } from "../../sdk/src/offline.ts";

it("gives the same verdicts with node:crypto and with WebCrypto", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const now = new Date("2026-11-29T12:00:00.000Z");
  const keys = [{ kid: "k1", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() }];
  const text = await createLicenseFile({
    kid: "k1",
    sign: (message) => sign(null, message, privateKey),
    encrypt: true,
    payload: {
      id: "f1",
      issuedAt: now.toISOString(),
      notBefore: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
      fingerprint: "machine-1",
      license: {
        id: "l1",
        keyHash: "0".repeat(64),
        type: "floating",
        seats: 2,
        startsAt: now.toISOString(),
        expiresAt: null,
      },
      customer: { id: "c1", name: "Initech" },
      product: { id: "p1", code: "acme-cad", name: "Acme CAD" },
      entitlements: [],
    },
  });
  const lines = text.split("\n");
  const body = lines[1] ?? "";
  lines[1] = body.slice(0, 10) + (body[10] === "A" ? "B" : "A") + body.slice(11);
  const edited = lines.join("\n");
  for (const engine of ["auto", "webcrypto"] as const) {
    const ok = await verifyLicenseFile(text, keys, { fingerprint: "machine-1", now, engine });
    expect(ok.valid, engine).toBe(true);
    expect(await verifyLicenseFile(text, keys, { fingerprint: "machine-2", now, engine })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });
    expect(
      (await verifyLicenseFile(edited, keys, { fingerprint: "machine-1", now, engine })).valid,
      engine,
    ).toBe(false);
  }
});
