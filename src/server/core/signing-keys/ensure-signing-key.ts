import { writeAuditEvent } from "../audit/write-audit-event.ts";
import { systemActor } from "../context.ts";
import type { DbHandle } from "../../db/client.ts";
import { insertActiveKey, lockKeyring } from "./create-signing-key.ts";
import { signingKeySelect, toSigningKeyDto, type SigningKeyDto } from "./select.ts";

/**
 * First start: makes the server's first signing key unless one is active. Safe when several
 * instances start at once (the keyring lock lets one of them create it).
 */
export async function ensureSigningKey(
  handle: DbHandle,
  encryptionKey: Buffer,
  now = new Date(),
): Promise<SigningKeyDto> {
  return handle.db.$transaction(async (tx) => {
    await lockKeyring(tx, handle.provider);
    const active = await tx.signingKey.findFirst({ where: { status: "active" }, select: signingKeySelect });
    if (active) return toSigningKeyDto(active);
    const created = await insertActiveKey(tx, encryptionKey, now);
    await writeAuditEvent(
      tx,
      { provider: handle.provider, actor: systemActor, now, encryptionKey },
      {
        action: "signing_key.create",
        targetType: "signing_key",
        targetId: created.id,
        summary: { kid: created.kid, reason: "first start" },
      },
    );
    return created;
  });
}
