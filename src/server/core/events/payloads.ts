// The shared parts of event payloads (docs/events.md): a license as events carry it.
import type { Prisma, Tx } from "../../db/client.ts";
import { effectiveStatus } from "../licenses/status.ts";

const licenseEventSelect = {
  id: true,
  key: true,
  status: true,
  statusReason: true,
  type: true,
  seatLimit: true,
  startsAt: true,
  expiresAt: true,
  trial: true,
  policyId: true,
  metadata: true,
  customer: { select: { id: true, name: true, email: true, groupId: true } },
  product: { select: { id: true, code: true, name: true } },
} satisfies Prisma.LicenseSelect;

export interface LicenseEventData {
  id: string;
  key: string;
  status: string;
  statusReason: string | null;
  type: string;
  seatLimit: number;
  startsAt: string;
  expiresAt: string | null;
  trial: boolean;
  policyId: string | null;
  metadata: Record<string, unknown>;
  customer: { id: string; name: string; email: string | null; groupId: string };
  product: { id: string; code: string; name: string };
}

/** The license as events carry it (`data.license`), read in the change's transaction. */
export async function licenseEventData(tx: Tx, licenseId: string, now: Date): Promise<LicenseEventData> {
  const row = await tx.license.findUniqueOrThrow({ where: { id: licenseId }, select: licenseEventSelect });
  let metadata: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.metadata);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      metadata = parsed as Record<string, unknown>;
  } catch {
    // stored metadata is always an object; an unreadable one is carried as {}
  }
  return {
    id: row.id,
    key: row.key,
    status: effectiveStatus(row, now),
    statusReason: row.statusReason,
    type: row.type,
    seatLimit: row.seatLimit,
    startsAt: row.startsAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    trial: row.trial,
    policyId: row.policyId,
    metadata,
    customer: row.customer,
    product: row.product,
  };
}
