import type { Tx } from "../../db/client.ts";
import { inGroup } from "../access/policy.ts";
import type { Actor } from "../context.ts";
import { notFound } from "../errors.ts";

export interface ScopedLicense {
  id: string;
  key: string;
  status: string;
  expiresAt: Date | null;
  startsAt: Date;
  productId: string;
  customerId: string;
}

/** The license if it exists and its customer is in one of the actor's groups; else NOT_FOUND. */
export async function findLicenseInScope(tx: Tx, actor: Actor, id: string): Promise<ScopedLicense> {
  const license = await tx.license.findUnique({
    where: { id },
    select: {
      id: true,
      key: true,
      status: true,
      expiresAt: true,
      startsAt: true,
      productId: true,
      customerId: true,
      customer: { select: { groupId: true } },
    },
  });
  if (!license || !inGroup(actor, license.customer.groupId)) throw notFound("license", id);
  const { customer: _customer, ...rest } = license;
  return rest;
}
