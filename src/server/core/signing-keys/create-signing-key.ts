import type { Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import { encryptSecret } from "../../crypto/aes-gcm.ts";
import { generateEd25519KeyPair } from "../../crypto/ed25519.ts";
import { signingKeySelect, toSigningKeyDto, type SigningKeyDto } from "./select.ts";

/** Any constant: the key of the PostgreSQL advisory lock that serializes keyring changes. */
const KEYRING_LOCK = 7_245_002;

/** Serializes keyring changes across instances (SQLite has one writer anyway). */
export async function lockKeyring(tx: Tx, provider: DbProvider): Promise<void> {
  if (provider === "postgresql") await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${KEYRING_LOCK})`);
}

/** A new active key; the caller has demoted the previous one in the same transaction. */
export async function insertActiveKey(tx: Tx, encryptionKey: Buffer, now: Date): Promise<SigningKeyDto> {
  const pair = generateEd25519KeyPair();
  const row = await tx.signingKey.create({
    data: {
      kid: pair.kid,
      algorithm: "Ed25519",
      publicKeyPem: pair.publicKeyPem,
      privateKeyEnc: encryptSecret(encryptionKey, pair.privateKeyPem, `signing-key:${pair.kid}`),
      status: "active",
      activatedAt: now,
    },
    select: signingKeySelect,
  });
  return toSigningKeyDto(row);
}
