import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, notFound } from "../errors.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { signingKeySelect, toSigningKeyDto, type SigningKeyDto } from "./select.ts";

export const ZRetireSigningKeyInput = z.object({
  kid: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{16}$/, "must be a 16-digit hex key id"),
});
export type TRetireSigningKeyInput = z.input<typeof ZRetireSigningKeyInput>;

/** Removes a published key from the keyring: what it signed stops verifying. */
export async function retireSigningKey(
  ctx: DomainContext,
  input: TRetireSigningKeyInput,
): Promise<SigningKeyDto> {
  requirePermission(ctx.actor, "signing_key.manage");
  const { kid } = parseInput(ZRetireSigningKeyInput, input);
  return mutate(ctx, async ({ tx, now, audit }) => {
    const key = await tx.signingKey.findUnique({ where: { kid }, select: { id: true, status: true } });
    if (!key) throw notFound("signing key", kid);
    if (key.status === "active") throw failedPrecondition("the active key cannot be retired; rotate first");
    if (key.status === "retired") throw failedPrecondition("the key is already retired");
    const retired = await tx.signingKey.update({
      where: { kid },
      data: { status: "retired", retiredAt: now },
      select: signingKeySelect,
    });
    audit({ action: "signing_key.retire", targetType: "signing_key", targetId: key.id, summary: { kid } });
    return toSigningKeyDto(retired);
  });
}
