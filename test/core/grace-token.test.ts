import { createPublicKey } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { expect, it } from "vitest";
import { verifyGraceToken } from "../../sdk/src/index.ts";
import { issueGraceToken, type GraceTokenInput } from "../../src/server/core/validation/grace-token.ts";
import { loadActiveSigner } from "../../src/server/core/signing-keys/active-signer.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { retireSigningKey } from "../../src/server/core/signing-keys/retire-signing-key.ts";
import { rotateSigningKey } from "../../src/server/core/signing-keys/rotate-signing-key.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";

const HOUR = 3_600_000;

function input(db: TestDb, extra: Partial<GraceTokenInput> = {}): GraceTokenInput {
  return {
    licenseId: "lic-1",
    licenseKey: "7K3QD-M9XWB-0A1ZZ-TTTTT-00000",
    fingerprint: "machine-a",
    productCode: "acme-cad",
    featureCodes: ["export-pdf"],
    licenseExpiresAt: null,
    gracePeriodHours: 72,
    checkInIntervalDays: null,
    now: db.clock.now(),
    ...extra,
  };
}

describeEachDb("grace tokens", (getDb) => {
  it("are EdDSA JWTs with the key id, verified by jose and by the SDK, bound to machine and key", async () => {
    const db = getDb();
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const signer = await loadActiveSigner(db.handle.db, db.ctx().encryptionKey);
    const { token, expiresAt } = issueGraceToken(signer, input(db));
    expect(expiresAt.getTime() - db.clock.now().getTime()).toBe(72 * HOUR);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "EdDSA", kid: signer.kid });

    const keyring = await publicKeyring(db.handle.db);
    const pem = keyring.find((k) => k.kid === signer.kid)?.publicKeyPem ?? "";
    const { payload } = await jwtVerify(token, createPublicKey(pem), { currentDate: db.clock.now() });
    expect(payload).toMatchObject({
      sub: "lic-1",
      fp: "machine-a",
      prd: "acme-cad",
      ent: ["export-pdf"],
      lexp: null,
    });
    expect(JSON.stringify(payload)).not.toContain("7K3QD");

    const now = db.clock.now();
    const ok = await verifyGraceToken(token, keyring, {
      fingerprint: "machine-a",
      licenseKey: "7K3QD-M9XWB-0A1ZZ-TTTTT-00000",
      now,
    });
    expect(ok.valid).toBe(true);
    expect(await verifyGraceToken(token, keyring, { fingerprint: "machine-b", now })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });
    expect(
      await verifyGraceToken(token, keyring, { fingerprint: "machine-a", licenseKey: "OTHER", now }),
    ).toEqual({ valid: false, reason: "LICENSE_MISMATCH" });
    const later = new Date(now.getTime() + 73 * HOUR);
    expect(await verifyGraceToken(token, keyring, { fingerprint: "machine-a", now: later })).toEqual({
      valid: false,
      reason: "EXPIRED",
    });
    expect(await verifyGraceToken(token, [], { fingerprint: "machine-a", now })).toEqual({
      valid: false,
      reason: "UNKNOWN_KEY",
    });
    expect(await verifyGraceToken("garbage", keyring, { fingerprint: "machine-a", now })).toEqual({
      valid: false,
      reason: "MALFORMED",
    });

    // any single changed character of the payload or signature is refused
    const [header, body, signature] = token.split(".") as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    for (const forged of [
      `${header}.${flip(body, 10)}.${signature}`,
      `${header}.${body}.${flip(signature, 5)}`,
    ]) {
      const result = await verifyGraceToken(forged, keyring, { fingerprint: "machine-a", now });
      expect(result.valid).toBe(false);
    }
  });

  it("never outlive the license, and keep verifying after a key rotation until the key is retired", async () => {
    const db = getDb();
    await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const signer = await loadActiveSigner(db.handle.db, db.ctx().encryptionKey);
    const licenseEnd = new Date(db.clock.now().getTime() + 10 * HOUR);
    const { token, expiresAt } = issueGraceToken(signer, input(db, { licenseExpiresAt: licenseEnd }));
    expect(expiresAt).toEqual(licenseEnd);

    await rotateSigningKey(db.ctx());
    const now = db.clock.now();
    expect(
      (await verifyGraceToken(token, await publicKeyring(db.handle.db), { fingerprint: "machine-a", now }))
        .valid,
    ).toBe(true);
    await retireSigningKey(db.ctx(), { kid: signer.kid });
    expect(
      await verifyGraceToken(token, await publicKeyring(db.handle.db), { fingerprint: "machine-a", now }),
    ).toEqual({
      valid: false,
      reason: "UNKNOWN_KEY",
    });
  });
});
