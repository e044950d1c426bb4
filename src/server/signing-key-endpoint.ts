import type { Db } from "./db/client.ts";
import { publicKeyring } from "./core/signing-keys/public-keyring.ts";

/**
 * `GET /api/signing-key`, public: the current public key as PEM (`public_key_pem`, the shape the
 * original system answers), its key id, and the whole verifying keyring.
 */
export async function signingKeyResponse(db: Db): Promise<Response> {
  const keyring = await publicKeyring(db);
  const active = keyring.find((key) => key.active);
  if (!active)
    return Response.json({ message: "no active signing key", code: "FAILED_PRECONDITION" }, { status: 503 });
  return Response.json(
    {
      public_key_pem: active.publicKeyPem,
      kid: active.kid,
      algorithm: active.algorithm,
      keys: keyring.map((key) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        public_key_pem: key.publicKeyPem,
        active: key.active,
      })),
    },
    { headers: { "cache-control": "public, max-age=60" } },
  );
}
