import type { Tx } from "../../db/client.ts";
import { inGroup } from "../access/policy.ts";
import type { Actor } from "../context.ts";
import { notFound } from "../errors.ts";

/**
 * The customer if it exists and is in one of the actor's groups; otherwise NOT_FOUND, so callers
 * outside the group learn nothing about it.
 */
export async function findCustomerInScope(
  tx: Tx,
  actor: Actor,
  id: string,
): Promise<{ id: string; name: string; groupId: string; archivedAt: Date | null }> {
  const customer = await tx.customer.findUnique({
    where: { id },
    select: { id: true, name: true, groupId: true, archivedAt: true },
  });
  if (!customer || !inGroup(actor, customer.groupId)) throw notFound("customer", id);
  return customer;
}
