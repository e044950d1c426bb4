import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { mutate } from "../shared/mutate.ts";
import { insertActiveKey, lockKeyring } from "./create-signing-key.ts";
import type { SigningKeyDto } from "./select.ts";

/**
 * A new key signs from now on; the previous active key stays published, so files and tokens it
 * signed keep verifying until it is retired.
 */
export async function rotateSigningKey(ctx: DomainContext): Promise<SigningKeyDto> {
  requirePermission(ctx.actor, "signing_key.manage");
  return mutate(ctx, async ({ tx, now, audit }) => {
    await lockKeyring(tx, ctx.provider);
    const previous = await tx.signingKey.findMany({ where: { status: "active" }, select: { kid: true } });
    await tx.signingKey.updateMany({ where: { status: "active" }, data: { status: "published" } });
    const created = await insertActiveKey(tx, ctx.encryptionKey, now);
    audit({
      action: "signing_key.rotate",
      targetType: "signing_key",
      targetId: created.id,
      summary: { kid: created.kid, previous: previous.map((k) => k.kid) },
    });
    return created;
  });
}
