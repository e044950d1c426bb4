import { createPublicKey, randomBytes, verify } from "node:crypto";
import { expect, it } from "vitest";
import { decryptSecret } from "../../src/server/crypto/aes-gcm.ts";
import { keyId } from "../../src/server/crypto/ed25519.ts";
import { loadActiveSigner } from "../../src/server/core/signing-keys/active-signer.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { listSigningKeys } from "../../src/server/core/signing-keys/list-signing-keys.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { retireSigningKey } from "../../src/server/core/signing-keys/retire-signing-key.ts";
import { rotateSigningKey } from "../../src/server/core/signing-keys/rotate-signing-key.ts";
import { signEd25519 } from "../../src/server/crypto/ed25519.ts";
import { signingKeyResponse } from "../../src/server/signing-key-endpoint.ts";
import { actor, describeEachDb } from "../support/db.ts";
import { expectDomainError } from "../support/expect-domain-error.ts";

describeEachDb("signing keys", (getDb) => {
  it("makes one key on first start, even when instances start together, stored encrypted", async () => {
    const db = getDb();
    const key = db.ctx().encryptionKey;
    const made = await Promise.all(
      Array.from({ length: 5 }, () => ensureSigningKey(db.handle, key, db.clock.now())),
    );
    expect(new Set(made.map((k) => k.kid)).size).toBe(1);
    expect(await db.handle.db.signingKey.count({ where: { status: "active" } })).toBe(1);
    const first = made[0];
    if (!first) throw new Error("no key");
    expect(first.kid).toBe(keyId(createPublicKey(first.publicKeyPem)));

    const row = await db.handle.db.signingKey.findUniqueOrThrow({
      where: { kid: first.kid },
      select: { privateKeyEnc: true },
    });
    expect(row.privateKeyEnc).not.toContain("PRIVATE KEY");
    expect(decryptSecret(key, row.privateKeyEnc, `signing-key:${first.kid}`)).toContain("BEGIN PRIVATE KEY");
    expect(() => decryptSecret(randomBytes(32), row.privateKeyEnc, `signing-key:${first.kid}`)).toThrow();

    const signer = await loadActiveSigner(db.handle.db, key);
    const message = Buffer.from("license payload");
    expect(
      verify(null, message, createPublicKey(first.publicKeyPem), signEd25519(signer.privateKey, message)),
    ).toBe(true);
  });

  it("rotates: the new key signs, the old one verifies until retired", async () => {
    const db = getDb();
    const key = db.ctx().encryptionKey;
    const old = await ensureSigningKey(db.handle, key, db.clock.now());
    const oldSignature = signEd25519(
      (await loadActiveSigner(db.handle.db, key)).privateKey,
      Buffer.from("file"),
    );

    await expectDomainError(rotateSigningKey(db.ctx(actor("admin", []))), "FORBIDDEN");
    const rotated = await rotateSigningKey(db.ctx());
    expect(rotated.kid).not.toBe(old.kid);
    expect((await loadActiveSigner(db.handle.db, key)).kid).toBe(rotated.kid);

    const ring = await publicKeyring(db.handle.db);
    expect(ring.find((k) => k.active)?.kid).toBe(rotated.kid);
    const published = ring.find((k) => k.kid === old.kid);
    expect(published?.active).toBe(false);
    expect(
      verify(null, Buffer.from("file"), createPublicKey(published?.publicKeyPem ?? ""), oldSignature),
    ).toBe(true);

    await expectDomainError(retireSigningKey(db.ctx(), { kid: rotated.kid }), "FAILED_PRECONDITION");
    await expectDomainError(retireSigningKey(db.ctx(), { kid: "0123456789abcdef" }), "NOT_FOUND");
    await expectDomainError(retireSigningKey(db.ctx(), { kid: "nope" }), "INVALID_ARGUMENT");
    await retireSigningKey(db.ctx(), { kid: old.kid });
    expect((await publicKeyring(db.handle.db)).map((k) => k.kid)).not.toContain(old.kid);
    const all = await listSigningKeys(db.ctx(actor("admin", [])), { includeRetired: true });
    expect(all.find((k) => k.kid === old.kid)?.status).toBe("retired");
    expect(JSON.stringify(all)).not.toContain("privateKey");
    await expectDomainError(listSigningKeys(db.ctx(actor("editor", []))), "FORBIDDEN");
    const actions = await db.handle.db.auditEvent.findMany({
      where: { targetType: "signing_key" },
      orderBy: { seq: "asc" },
      select: { action: true },
    });
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(["signing_key.create", "signing_key.rotate", "signing_key.retire"]),
    );
  });

  it("serves the current public key as PEM at /api/signing-key", async () => {
    const db = getDb();
    const active = await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
    const response = await signingKeyResponse(db.handle.db);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { public_key_pem: string; kid: string; keys: { kid: string }[] };
    expect(body.public_key_pem).toBe(active.publicKeyPem);
    expect(body.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(body.kid).toBe(active.kid);
    expect(body.keys.map((k) => k.kid)).toContain(active.kid);
  });
});
