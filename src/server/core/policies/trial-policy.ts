import type { Tx } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import { failedPrecondition } from "../errors.ts";

/**
 * Refuses a second live (not archived) trial policy for a product. The product row is locked
 * first (a row lock on PostgreSQL; SQLite's transactions already hold the write lock), so two
 * concurrent creations cannot both pass.
 */
export async function requireNoLiveTrialPolicy(
  tx: Tx,
  provider: DbProvider,
  productId: string,
  exceptId?: string,
): Promise<void> {
  if (provider === "postgresql") {
    await tx.$queryRaw`SELECT "id" FROM "Product" WHERE "id" = ${productId} FOR UPDATE`;
  }
  const live = await tx.policy.findFirst({
    where: { productId, kind: "trial", archivedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { name: true },
  });
  if (live) {
    throw failedPrecondition(
      `the product already has a live trial policy ("${live.name}"); archive it first: a product has at most one`,
    );
  }
}
