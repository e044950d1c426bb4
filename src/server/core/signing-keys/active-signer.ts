import type { KeyObject } from "node:crypto";
import type { Db } from "../../db/client.ts";
import { decryptSecret } from "../../crypto/aes-gcm.ts";
import { privateKeyFromPem } from "../../crypto/ed25519.ts";
import { DomainError } from "../errors.ts";

export interface Signer {
  kid: string;
  privateKey: KeyObject;
}

/** The active key, decrypted for signing (files, grace tokens). */
export async function loadActiveSigner(db: Db, encryptionKey: Buffer): Promise<Signer> {
  const row = await db.signingKey.findFirst({
    where: { status: "active" },
    orderBy: { activatedAt: "desc" },
    select: { kid: true, privateKeyEnc: true },
  });
  if (!row)
    throw new DomainError(
      "FAILED_PRECONDITION",
      "the server has no active signing key; restart it or rotate",
    );
  const pem = decryptSecret(encryptionKey, row.privateKeyEnc, `signing-key:${row.kid}`);
  return { kid: row.kid, privateKey: privateKeyFromPem(pem) };
}

/**
 * The active signer, reloaded at most every `ttlMs`: signing per validation must not decrypt the
 * key each time. After a rotation an instance may sign with the previous key for up to `ttlMs`,
 * which stays valid because rotated keys remain published until an admin retires them.
 */
export function cachedSigner(db: Db, encryptionKey: Buffer, ttlMs = 30_000): () => Promise<Signer> {
  let cached: { signer: Promise<Signer>; loadedAt: number } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.loadedAt > ttlMs) {
      const signer = loadActiveSigner(db, encryptionKey);
      cached = { signer, loadedAt: now };
      // a failed load is not kept: the next call tries again
      signer.catch(() => {
        if (cached?.signer === signer) cached = undefined;
      });
    }
    return cached.signer;
  };
}
