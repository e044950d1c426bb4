// Webhook signing secrets: Standard Webhooks' "whsec_" + base64 of 32 random bytes, shown once
// and stored AES-256-GCM encrypted with the server's encryption key.
import { randomBytes } from "node:crypto";
import { decryptSecret, encryptSecret } from "../../crypto/aes-gcm.ts";

const ASSOCIATED_DATA = "webhook-endpoint-secret";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function sealWebhookSecret(encryptionKey: Buffer, secret: string): string {
  return encryptSecret(encryptionKey, secret, ASSOCIATED_DATA);
}

/** Throws when the value was not sealed with this key. */
export function openWebhookSecret(encryptionKey: Buffer, sealed: string): string {
  return decryptSecret(encryptionKey, sealed, ASSOCIATED_DATA);
}
