import type { Db } from "../../db/client.ts";

export interface PublicKeyEntry {
  kid: string;
  algorithm: string;
  publicKeyPem: string;
  active: boolean;
}

/**
 * What shipped software may trust, for anyone to read: the active key and the published ones
 * (never the retired). Not an admin operation: no actor, no audit.
 */
export async function publicKeyring(db: Db): Promise<PublicKeyEntry[]> {
  const rows = await db.signingKey.findMany({
    where: { status: { in: ["active", "published"] } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: { kid: true, algorithm: true, publicKeyPem: true, status: true },
  });
  return rows.map(({ status, ...key }) => ({ ...key, active: status === "active" }));
}
