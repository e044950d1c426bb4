// The shared parts of event payloads (docs/events.md): a license as events carry it.
import type { Prisma, Tx } from "../../db/client.ts";
import { effectiveStatus } from "../licenses/status.ts";
import type { PolicyDto } from "../policies/select.ts";

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
  return toLicenseEventData(row, now);
}

function toLicenseEventData(
  row: Prisma.LicenseGetPayload<{ select: typeof licenseEventSelect }>,
  now: Date,
): LicenseEventData {
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

/** The licenses as events carry them, in one read (a bulk issue's license.created events). */
export async function licensesEventData(
  tx: Tx,
  licenseIds: readonly string[],
  now: Date,
): Promise<Map<string, LicenseEventData>> {
  const out = new Map<string, LicenseEventData>();
  // well below both providers' limits on bound values
  for (let i = 0; i < licenseIds.length; i += 500) {
    const rows = await tx.license.findMany({
      where: { id: { in: licenseIds.slice(i, i + 500) } },
      select: licenseEventSelect,
    });
    for (const row of rows) out.set(row.id, toLicenseEventData(row, now));
  }
  return out;
}

/** A license's entitlements as license.updated's `changes.entitlements` lists them (by code). */
export async function entitlementsEventData(
  tx: Tx,
  licenseId: string,
): Promise<{ code: string; quota: number | null; quotaPeriod: string }[]> {
  const rows = await tx.entitlement.findMany({
    where: { licenseId },
    select: { quota: true, quotaPeriod: true, feature: { select: { code: true } } },
    orderBy: { feature: { code: "asc" } },
  });
  return rows.map((e) => ({ code: e.feature.code, quota: e.quota, quotaPeriod: e.quotaPeriod }));
}

export const sessionEventSelect = {
  id: true,
  licenseId: true,
  fingerprint: true,
  hostname: true,
  clientVersion: true,
  startedAt: true,
  endedAt: true,
} satisfies Prisma.SessionSelect;

/** A session as session.* events carry it (no address, no metadata). */
export function sessionEventData(
  row: Prisma.SessionGetPayload<{ select: typeof sessionEventSelect }>,
  withEnd: boolean,
): Record<string, unknown> {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    hostname: row.hostname,
    clientVersion: row.clientVersion,
    startedAt: row.startedAt.toISOString(),
    ...(withEnd ? { endedAt: row.endedAt?.toISOString() ?? null } : {}),
  };
}

/** A machine binding as machine.* events carry it (no component hashes). */
export function machineEventData(row: {
  id: string;
  fingerprint: string;
  hostname: string;
  boundAt: Date;
}): Record<string, unknown> {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    hostname: row.hostname,
    boundAt: row.boundAt.toISOString(),
  };
}

const trialEventSelect = {
  id: true,
  productId: true,
  policyId: true,
  licenseId: true,
  fingerprint: true,
  hostname: true,
  startedAt: true,
  expiresAt: true,
  convertedAt: true,
  convertedBy: true,
  convertedLicenseId: true,
} satisfies Prisma.TrialSelect;

/** A trial as trial.* events carry it (no address, no component hashes). */
export async function trialEventData(tx: Tx, trialId: string): Promise<Record<string, unknown>> {
  const row = await tx.trial.findUniqueOrThrow({ where: { id: trialId }, select: trialEventSelect });
  return {
    ...row,
    startedAt: row.startedAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    convertedAt: row.convertedAt?.toISOString() ?? null,
  };
}

/** A policy as policy.* events carry it: its terms and entitlements (by feature code). */
export function policyEventData(policy: PolicyDto): Record<string, unknown> {
  const { licenseCount: _count, product, entitlements, ...rest } = policy;
  return {
    ...rest,
    productId: product.id,
    product,
    entitlements: entitlements.map((e) => ({ code: e.code, quota: e.quota, quotaPeriod: e.quotaPeriod })),
  };
}
