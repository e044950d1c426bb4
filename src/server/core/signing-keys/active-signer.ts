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
