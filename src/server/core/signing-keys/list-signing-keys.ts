import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZQueryBoolean } from "../shared/schemas.ts";
import { signingKeySelect, toSigningKeyDto, type SigningKeyDto } from "./select.ts";

export const ZListSigningKeysInput = z.object({ includeRetired: ZQueryBoolean.default(false) });
export type TListSigningKeysInput = z.input<typeof ZListSigningKeysInput>;

/** The keyring, newest first (a server has a handful of keys over its life). */
export async function listSigningKeys(
  ctx: DomainContext,
  input: TListSigningKeysInput = {},
): Promise<SigningKeyDto[]> {
  requirePermission(ctx.actor, "signing_key.read");
  const { includeRetired } = parseInput(ZListSigningKeysInput, input);
  const rows = await ctx.db.signingKey.findMany({
    where: includeRetired ? {} : { status: { in: ["active", "published"] } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: signingKeySelect,
  });
  return rows.map(toSigningKeyDto);
}
