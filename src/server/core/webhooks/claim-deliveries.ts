// The delivery worker's claim: due deliveries of enabled endpoints, taken for a lease (lockedUntil)
// so that no other worker sends them meanwhile. On PostgreSQL the candidates are locked with
// `FOR UPDATE SKIP LOCKED`, so several sidecars claim disjoint sets without waiting on each other;
// on SQLite one writer at a time makes the conditional update enough. A worker killed mid-delivery
// leaves its claim to run out: the delivery is then claimed again and re-sent with the same id.
import type { Db } from "../../db/client.ts";
import type { DbProvider } from "../../db/provider.ts";
import { openWebhookSecret } from "./secret.ts";

export interface ClaimOptions {
  now: Date;
  /** the claim holds until then */
  leaseUntil: Date;
  /** at most this many deliveries */
  limit: number;
  /** how many more deliveries each endpoint may take now (endpoints not named: `perEndpoint`) */
  endpointRoom: ReadonlyMap<string, number>;
  perEndpoint: number;
  encryptionKey: Buffer;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  /** attempts before this one */
  attempts: number;
  leaseUntil: Date;
  eventId: string;
  url: string;
  /** the current secret, then the previous one while its grace lasts */
  secrets: string[];
  /** why it cannot be sent (its secret does not open with this ENCRYPTION_KEY), or null */
  problem: string | null;
  /** the endpoint's current run of failures began then (null: its last attempt succeeded) */
  failingSince: Date | null;
  /** the request body: the same on every attempt */
  body: string;
}

/** Candidates read per claim, per free slot: room to skip endpoints that are at their limit. */
const CANDIDATES_PER_SLOT = 4;

async function candidates(db: Db, provider: DbProvider, options: ClaimOptions, take: number) {
  const full = [...options.endpointRoom].filter(([, room]) => room <= 0).map(([id]) => id);
  if (provider === "postgresql") {
    // timestamp(3) columns hold UTC wall time: an ISO string cast to timestamp compares as such
    const params: unknown[] = [options.now.toISOString(), take, ...full];
    const notFull = full.length
      ? `AND d."endpointId" NOT IN (${full.map((_, i) => `$${i + 3}`).join(", ")})`
      : "";
    return db.$queryRawUnsafe<{ id: string; endpointId: string }[]>(
      `SELECT d."id", d."endpointId" FROM "WebhookDelivery" d
         JOIN "WebhookEndpoint" e ON e."id" = d."endpointId" AND e."enabled"
        WHERE d."status" = 'pending' AND d."nextAttemptAt" <= $1::timestamp
          AND (d."lockedUntil" IS NULL OR d."lockedUntil" <= $1::timestamp) ${notFull}
        ORDER BY d."nextAttemptAt", d."createdAt", d."id"
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED`,
      ...params,
    );
  }
  return db.webhookDelivery.findMany({
    where: {
      status: "pending",
      nextAttemptAt: { lte: options.now },
      OR: [{ lockedUntil: null }, { lockedUntil: { lte: options.now } }],
      endpoint: { enabled: true },
      ...(full.length ? { endpointId: { notIn: full } } : {}),
    },
    orderBy: [{ nextAttemptAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    take,
    select: { id: true, endpointId: true },
  });
}

/** Claims up to `limit` due deliveries, at most the room each endpoint has. */
export async function claimDueDeliveries(
  db: Db,
  provider: DbProvider,
  options: ClaimOptions,
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const take = options.limit * CANDIDATES_PER_SLOT;
  const claimedIds = await db.$transaction(async (tx) => {
    // SQLite: the write lock first (as mutate() does), so the read-then-write cannot fail busy
    if (provider === "sqlite") await tx.$executeRawUnsafe(`UPDATE "Setting" SET "key" = "key" WHERE 0`);
    const rows = await candidates(tx as unknown as Db, provider, options, take);
    const room = new Map(options.endpointRoom);
    const picked: string[] = [];
    for (const row of rows) {
      if (picked.length >= options.limit) break;
      const left = room.get(row.endpointId) ?? options.perEndpoint;
      if (left <= 0) continue;
      room.set(row.endpointId, left - 1);
      picked.push(row.id);
    }
    if (picked.length === 0) return [];
    // conditional: a claim another worker made meanwhile (SQLite, or a lock not taken) is kept
    const won: string[] = [];
    for (const id of picked) {
      const { count } = await tx.webhookDelivery.updateMany({
        where: {
          id,
          status: "pending",
          OR: [{ lockedUntil: null }, { lockedUntil: { lte: options.now } }],
        },
        data: { lockedUntil: options.leaseUntil },
      });
      if (count === 1) won.push(id);
    }
    return won;
  });
  if (claimedIds.length === 0) return [];
  const rows = await db.webhookDelivery.findMany({
    where: { id: { in: claimedIds } },
    select: {
      id: true,
      endpointId: true,
      attempts: true,
      event: { select: { id: true, seq: true, type: true, version: true, at: true, data: true } },
      endpoint: {
        select: {
          url: true,
          secretEnc: true,
          previousSecretEnc: true,
          previousSecretUntil: true,
          failingSince: true,
        },
      },
    },
  });
  const order = new Map(claimedIds.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return rows.map((row) => {
    const { endpoint, event } = row;
    const secrets: string[] = [];
    let problem: string | null = null;
    try {
      secrets.push(openWebhookSecret(options.encryptionKey, endpoint.secretEnc));
      if (
        endpoint.previousSecretEnc &&
        endpoint.previousSecretUntil &&
        endpoint.previousSecretUntil > options.now
      )
        secrets.push(openWebhookSecret(options.encryptionKey, endpoint.previousSecretEnc));
    } catch {
      // e.g. a backup restored on a server with another key: rotate the secret to send again
      problem =
        "the endpoint's signing secret cannot be opened with this server's ENCRYPTION_KEY: rotate the secret";
      secrets.length = 0;
    }
    return {
      id: row.id,
      endpointId: row.endpointId,
      attempts: row.attempts,
      leaseUntil: options.leaseUntil,
      eventId: event.id,
      url: endpoint.url,
      secrets,
      problem,
      failingSince: endpoint.failingSince,
      body: webhookBody(event),
    };
  });
}

/** The body of an event's deliveries (docs/webhooks.md "What a delivery looks like"). */
export function webhookBody(event: {
  id: string;
  seq: number;
  type: string;
  version: number;
  at: Date;
  data: string;
}): string {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = {};
  }
  return JSON.stringify({
    id: event.id,
    type: event.type,
    version: event.version,
    timestamp: event.at.toISOString(),
    sequence: event.seq,
    data,
  });
}
