// The licensing API's hot reads, in SQL prepared once, beside Prisma: a validation is a handful
// of point lookups, and Prisma's per-query cost (~150–450 µs, see docs/toolchain.md) would dominate
// them. SQLite: a read-only better-sqlite3 connection on the same file (WAL: it sees every
// committed write at once). PostgreSQL: a small pg pool with named prepared statements. Reads are
// never cached, so a status change is seen by the next call on every instance.
import Database from "better-sqlite3";
import pg from "pg";
import { POOL_CONNECT_TIMEOUT_MS } from "./adapter.ts";
import type { DbTarget } from "./provider.ts";

export interface LicenseRecord {
  id: string;
  key: string;
  status: string;
  type: string;
  seatLimit: number;
  startsAt: Date;
  expiresAt: Date | null;
  heartbeatIntervalSeconds: number;
  gracePeriodHours: number;
  offlineAllowanceDays: number;
  /** the policy's name, null when the license has none */
  policyName: string | null;
  durationDays: number | null;
  durationFrom: string;
  activatedAt: Date | null;
  checkInIntervalDays: number | null;
  lastCheckInAt: Date | null;
  expiryStrategy: string;
  overage: string;
  machineMatching: string;
  trial: boolean;
  customer: { name: string };
  product: { id: string; code: string };
  entitlements: {
    quota: number | null;
    quotaPeriod: string;
    feature: { id: string; code: string; name: string; kind: string; unit: string | null };
    /** used in the current quota period at `now`, when the read computed it (PostgreSQL) */
    used?: number;
  }[];
}

export interface SessionRecord {
  id: string;
  licenseId: string;
  fingerprint: string;
  deadlineAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  /** floating licenses: the seat is held until then (the last grace token's expiry, or later) */
  graceUntil: Date | null;
}

export interface MachineRecord {
  id: string;
  lastSeenAt: Date;
  components: string;
}

export interface FastReads {
  /** with `now`, a reader may also compute each metered entitlement's use in its current period */
  licenseByKey(key: string, now?: Date): Promise<LicenseRecord | null>;
  /** sum of a feature's usage since `since` (null: ever) */
  usedSince(licenseId: string, featureId: string, since: Date | null): Promise<number>;
  session(id: string): Promise<SessionRecord | null>;
  /** a node-locked license's binding of this machine; components: the stored JSON (kind -> hash) */
  machine(licenseId: string, fingerprint: string): Promise<MachineRecord | null>;
  close(): Promise<void>;
}

// SQLite. Scalar subqueries rather than joins: with ANALYZE statistics of a small Product table the
// planner scans it for the join, and the statement took 40 µs instead of 13 (bench/README.md).
const LICENSE_SQL = `SELECT l."id", l."key", l."status", l."type", l."seatLimit", l."startsAt", l."expiresAt",
  l."heartbeatIntervalSeconds", l."gracePeriodHours", l."offlineAllowanceDays",
  l."durationDays", l."durationFrom", l."activatedAt", l."checkInIntervalDays", l."lastCheckInAt",
  l."expiryStrategy", l."overage", l."machineMatching", l."trial", l."productId",
  (SELECT y."name" FROM "Policy" y WHERE y."id" = l."policyId") AS "policyName",
  (SELECT c."name" FROM "Customer" c WHERE c."id" = l."customerId") AS "customerName",
  (SELECT p."code" FROM "Product" p WHERE p."id" = l."productId") AS "productCode"
  FROM "License" l WHERE l."key" = $1`;
const ENTITLEMENTS_SQL = `SELECT e."quota", e."quotaPeriod", f."id", f."code", f."name", f."kind", f."unit"
  FROM "Entitlement" e JOIN "Feature" f ON f."id" = e."featureId" WHERE e."licenseId" = $1 ORDER BY f."code"`;
/**
 * PostgreSQL: the license with its entitlements (as JSON) in one round trip; with `withUsage`,
 * each metered entitlement's use in its current period ($2 is the time) as well.
 */
function licenseFullSql(withUsage: boolean): string {
  const used = withUsage
    ? `, 'used', CASE WHEN f."kind" = 'metered' THEN (
        SELECT COALESCE(SUM(u."amount"), 0) FROM "UsageRecord" u
        WHERE u."licenseId" = l."id" AND u."featureId" = f."id" AND u."recordedAt" >= CASE e."quotaPeriod"
          WHEN 'day' THEN date_trunc('day', $2::timestamp)
          WHEN 'month' THEN date_trunc('month', $2::timestamp)
          ELSE '-infinity'::timestamp END) ELSE 0 END`
    : "";
  return `SELECT l."id", l."key", l."status", l."type", l."seatLimit", l."startsAt", l."expiresAt",
  l."heartbeatIntervalSeconds", l."gracePeriodHours", l."offlineAllowanceDays",
  l."durationDays", l."durationFrom", l."activatedAt", l."checkInIntervalDays", l."lastCheckInAt",
  l."expiryStrategy", l."overage", l."machineMatching", l."trial", l."productId",
  (SELECT y."name" FROM "Policy" y WHERE y."id" = l."policyId") AS "policyName",
  c."name" AS "customerName", p."code" AS "productCode",
  COALESCE((SELECT json_agg(json_build_object(
      'quota', e."quota", 'quotaPeriod', e."quotaPeriod", 'id', f."id", 'code', f."code", 'name', f."name",
      'kind', f."kind", 'unit', f."unit"${used}) ORDER BY f."code")
    FROM "Entitlement" e JOIN "Feature" f ON f."id" = e."featureId" WHERE e."licenseId" = l."id"), '[]'::json) AS "entitlements"
  FROM "License" l JOIN "Customer" c ON c."id" = l."customerId" JOIN "Product" p ON p."id" = l."productId"
  WHERE l."key" = $1`;
}
const LICENSE_WITH_USAGE_SQL = licenseFullSql(true);
const LICENSE_ONLY_SQL = licenseFullSql(false);
const USAGE_SQL = `SELECT COALESCE(SUM("amount"), 0) AS "used" FROM "UsageRecord"
  WHERE "licenseId" = $1 AND "featureId" = $2 AND "recordedAt" >= $3`;
const SESSION_SQL = `SELECT "id", "licenseId", "fingerprint", "deadlineAt", "endedAt", "endReason", "graceUntil" FROM "Session" WHERE "id" = $1`;
const MACHINE_SQL = `SELECT "id", "lastSeenAt", "components" FROM "MachineBinding" WHERE "licenseId" = $1 AND "fingerprint" = $2`;

/** Integers as the drivers return them (pg: number or, for int8, string). */
type Int = number | string;

interface LicenseRow {
  id: string;
  key: string;
  status: string;
  type: string;
  seatLimit: Int;
  startsAt: unknown;
  expiresAt: unknown;
  heartbeatIntervalSeconds: Int;
  gracePeriodHours: Int;
  offlineAllowanceDays: Int;
  durationDays: Int | null;
  durationFrom: string;
  activatedAt: unknown;
  checkInIntervalDays: Int | null;
  lastCheckInAt: unknown;
  expiryStrategy: string;
  overage: string;
  machineMatching: string;
  /** SQLite: 0 or 1 */
  trial: boolean | number;
  productId: string;
  policyName: string | null;
  customerName: string;
  productCode: string;
}
interface EntitlementRow {
  used?: Int;
  quota: Int | null;
  quotaPeriod: string;
  id: string;
  code: string;
  name: string;
  kind: string;
  unit: string | null;
}
interface SessionRow {
  id: string;
  licenseId: string;
  fingerprint: string;
  deadlineAt: unknown;
  endedAt: unknown;
  endReason: string | null;
  graceUntil: unknown;
}

function toLicense(
  row: LicenseRow,
  entitlements: EntitlementRow[],
  date: (v: unknown) => Date,
): LicenseRecord {
  return {
    id: row.id,
    key: row.key,
    status: row.status,
    type: row.type,
    seatLimit: Number(row.seatLimit),
    startsAt: date(row.startsAt),
    expiresAt: row.expiresAt === null ? null : date(row.expiresAt),
    heartbeatIntervalSeconds: Number(row.heartbeatIntervalSeconds),
    gracePeriodHours: Number(row.gracePeriodHours),
    offlineAllowanceDays: Number(row.offlineAllowanceDays),
    policyName: row.policyName,
    durationDays: row.durationDays === null ? null : Number(row.durationDays),
    durationFrom: row.durationFrom,
    activatedAt: row.activatedAt === null ? null : date(row.activatedAt),
    checkInIntervalDays: row.checkInIntervalDays === null ? null : Number(row.checkInIntervalDays),
    lastCheckInAt: row.lastCheckInAt === null ? null : date(row.lastCheckInAt),
    expiryStrategy: row.expiryStrategy,
    overage: row.overage,
    machineMatching: row.machineMatching,
    trial: row.trial === true || row.trial === 1,
    customer: { name: row.customerName },
    product: { id: row.productId, code: row.productCode },
    entitlements: entitlements.map((e) => ({
      quota: e.quota === null ? null : Number(e.quota),
      quotaPeriod: e.quotaPeriod,
      feature: { id: e.id, code: e.code, name: e.name, kind: e.kind, unit: e.unit },
      ...(e.used === undefined ? {} : { used: Number(e.used) }),
    })),
  };
}

function toSession(row: SessionRow, date: (v: unknown) => Date): SessionRecord {
  return {
    id: row.id,
    licenseId: row.licenseId,
    fingerprint: row.fingerprint,
    deadlineAt: date(row.deadlineAt),
    endedAt: row.endedAt === null ? null : date(row.endedAt),
    endReason: row.endReason,
    graceUntil: row.graceUntil === null ? null : date(row.graceUntil),
  };
}

/** Prisma stores SQLite DateTimes as ISO-8601 text with "+00:00"; comparisons need that form. */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

function sqliteReads(path: string): FastReads {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  const sql = (text: string) => db.prepare(text.replace(/\$\d/g, "?"));
  const license = sql(LICENSE_SQL);
  const entitlements = sql(ENTITLEMENTS_SQL);
  const usage = sql(USAGE_SQL);
  const session = sql(SESSION_SQL);
  const machine = sql(MACHINE_SQL);
  const date = (v: unknown) => new Date(v as string);
  return {
    licenseByKey: (key) => {
      const row = license.get(key) as LicenseRow | undefined;
      if (!row) return Promise.resolve(null);
      return Promise.resolve(toLicense(row, entitlements.all(row.id) as EntitlementRow[], date));
    },
    usedSince: (licenseId, featureId, since) => {
      const row = usage.get(licenseId, featureId, since ? sqliteTime(since) : "") as { used: Int };
      return Promise.resolve(Number(row.used));
    },
    session: (id) => {
      const row = session.get(id) as SessionRow | undefined;
      return Promise.resolve(row ? toSession(row, date) : null);
    },
    machine: (licenseId, fingerprint) => {
      const row = machine.get(licenseId, fingerprint) as
        { id: string; lastSeenAt: string; components: string } | undefined;
      return Promise.resolve(
        row ? { id: row.id, lastSeenAt: date(row.lastSeenAt), components: row.components } : null,
      );
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** PostgreSQL's `timestamp` (without time zone) type. */
const TIMESTAMP_OID = 1114;

function postgresReads(
  url: string,
  poolSize: number,
  onPoolError: (error: Error) => void,
  connectTimeoutMs: number,
): FastReads {
  // Prisma writes timestamp(3) columns (no time zone) in UTC; read them as UTC too.
  const utc = (value: string) => new Date(`${value.replace(" ", "T")}Z`);
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === TIMESTAMP_OID
        ? utc
        : (pg.types.getTypeParser as (id: number, f?: string) => unknown)(
            oid,
            format,
          )) as typeof pg.types.getTypeParser,
  };
  // a bounded wait for a connection: an exhausted pool answers UNAVAILABLE instead of hanging
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // Without a listener, an idle connection's error (a restarted or terminating server) would be
  // an uncaught exception; the pool has already dropped that connection.
  pool.on("error", onPoolError);
  const query = async <T>(name: string, text: string, values: unknown[]): Promise<T[]> =>
    (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows;
  const date = (v: unknown) => v as Date;
  return {
    licenseByKey: async (key, now) => {
      // one round trip: the license, its entitlements (and, with `now`, their use this period)
      const [row] = await (now
        ? query<LicenseRow & { entitlements: EntitlementRow[] }>("ls_license_usage", LICENSE_WITH_USAGE_SQL, [
            key,
            now.toISOString(),
          ])
        : query<LicenseRow & { entitlements: EntitlementRow[] }>("ls_license", LICENSE_ONLY_SQL, [key]));
      return row ? toLicense(row, row.entitlements, date) : null;
    },
    usedSince: async (licenseId, featureId, since) => {
      const [row] = await query<{ used: string }>("ls_usage", USAGE_SQL, [
        licenseId,
        featureId,
        since ?? new Date(0),
      ]);
      return Number(row?.used ?? 0);
    },
    session: async (id) => {
      const [row] = await query<SessionRow>("ls_session", SESSION_SQL, [id]);
      return row ? toSession(row, date) : null;
    },
    machine: async (licenseId, fingerprint) => {
      const [row] = await query<MachineRecord>("ls_machine", MACHINE_SQL, [licenseId, fingerprint]);
      return row ?? null;
    },
    close: () => pool.end(),
  };
}

export function openFastReads(
  target: DbTarget,
  options: { poolSize?: number; onPoolError?: (error: Error) => void; connectTimeoutMs?: number } = {},
): FastReads {
  return target.provider === "sqlite"
    ? sqliteReads(target.url)
    : postgresReads(
        target.url,
        options.poolSize ?? 10,
        options.onPoolError ?? (() => undefined),
        options.connectTimeoutMs ?? POOL_CONNECT_TIMEOUT_MS,
      );
}
