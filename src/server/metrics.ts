// Prometheus metrics of one process (the web app or the sidecar), served at /metrics by each.
// Counters and histograms are updated where requests pass (route handlers, the gRPC middleware's
// onCall hook, runClientOperation); the state gauges (sessions, licenses, heartbeats) are counted
// in the database when Prometheus scrapes, so every instance reports the same numbers — aggregate
// them with max(), not sum(). The registry lives on globalThis: Next's dev reloads and several
// bundled copies of this module must not register twice.
import { createHash, timingSafeEqual } from "node:crypto";
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
} from "prom-client";
import { StatusCode } from "../generated/proto/license/v1/license.ts";
import type { ClientOperation } from "./licensing-api/operations.ts";
import { auditCheckpointObservers } from "./core/audit/checkpoint.ts";
import { DomainError, UNAVAILABLE_REASONS, unavailableObservers } from "./core/errors.ts";
import { overageObservers } from "./core/sessions/overage.ts";
import { webhookAttemptObservers } from "./core/webhooks/record-attempt.ts";
import { deadCutoff, seatHolderWhere } from "./core/sessions/session-rules.ts";
import type { Db } from "./db/client.ts";
import { APP_VERSION } from "./version.ts";

const PREFIX = "license_server_";
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** One database sample serves every state gauge of a scrape (and scrapes within this window). */
const SAMPLE_TTL_MS = 1000;
const DAY_MS = 86_400_000;

export type MetricsComponent = "web" | "gateway";

/** Where the state gauges are counted: the process's database and its heartbeat tolerance. */
export type DatabaseSource = () => Promise<{ db: Db; heartbeatToleranceSeconds: number }>;

interface StateSample {
  licenses: Record<string, number>;
  expiring7d: number;
  expiring30d: number;
  sessionsActive: number;
  heartbeatLate: number;
  heartbeatDead: number;
  webhookQueueDepth: number;
  /** the oldest pending delivery's age; 0 when none is pending */
  webhookOldestPendingSeconds: number;
}

class ServerMetrics {
  readonly registry = new Registry();
  private databaseSource: DatabaseSource | null = null;
  private sample: { at: number; value: Promise<StateSample> } | null = null;

  readonly httpRequests = this.counter({
    name: `${PREFIX}http_requests_total`,
    help: "HTTP requests answered by the web app's API routes",
    labelNames: ["route", "method", "status"] as const,
  });
  readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: "Time to answer an HTTP request of an API route",
    labelNames: ["route", "method", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly grpcRequests = this.counter({
    name: `${PREFIX}grpc_requests_total`,
    help: "gRPC calls finished by the sidecar, by service, method and status code",
    labelNames: ["service", "method", "code"] as const,
  });
  readonly grpcDuration = new Histogram({
    name: `${PREFIX}grpc_request_duration_seconds`,
    help: "Time to finish a gRPC call",
    labelNames: ["service", "method", "code"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly licensingResponses = this.counter({
    name: `${PREFIX}licensing_responses_total`,
    help: "Answers of the licensing API (gRPC and its REST twin), by operation and status code",
    labelNames: ["rpc", "status"] as const,
  });
  readonly validations = this.counter({
    name: `${PREFIX}validations_total`,
    help: "License validations (Validate and Activate answers), by status code",
    labelNames: ["rpc", "status"] as const,
  });
  readonly rateLimited = this.counter({
    name: `${PREFIX}rate_limited_total`,
    help: "Licensing API calls refused by a rate limit (per license key or per client address)",
    labelNames: ["rpc"] as const,
  });
  readonly overageSessions = this.counter({
    name: `${PREFIX}overage_sessions_total`,
    help: "Sessions started beyond their floating license's seat limit (overage), by product code",
    labelNames: ["product"] as const,
  });
  readonly unavailable = this.counter({
    name: `${PREFIX}unavailable_total`,
    help: "Calls answered UNAVAILABLE (gRPC) or 503 because a database wait ran out, by which wait",
    labelNames: ["reason"] as const,
  });
  readonly webhookDeliveries = this.counter({
    name: `${PREFIX}webhook_deliveries_total`,
    help: "Webhook delivery attempts made by this sidecar, by outcome: succeeded, retrying (failed, retried later), failed (no retry left)",
    labelNames: ["outcome"] as const,
  });
  readonly webhookAttemptDuration = new Histogram({
    name: `${PREFIX}webhook_attempt_duration_seconds`,
    help: "Time from a webhook attempt's start to the receiver's answer (or the failure)",
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly auditCheckpointSeq = new Gauge({
    name: `${PREFIX}audit_checkpoint_seq`,
    help: "The audit chain's head (seq) at this process's last signed checkpoint (DATA_DIR/audit-head.json)",
    registers: [this.registry],
  });
  readonly auditCheckpointTime = new Gauge({
    name: `${PREFIX}audit_checkpoint_timestamp_seconds`,
    help: "When this process last wrote the audit checkpoint (Unix time)",
    registers: [this.registry],
  });

  constructor(readonly component: MetricsComponent) {
    collectDefaultMetrics({ register: this.registry });
    // every reason reported from the start (at 0), so an alert on its rate has a series to watch
    for (const reason of UNAVAILABLE_REASONS) this.unavailable.inc({ reason }, 0);
    for (const outcome of ["succeeded", "retrying", "failed"]) this.webhookDeliveries.inc({ outcome }, 0);
    this.registry.setDefaultLabels({ component });
    new Gauge({
      name: `${PREFIX}info`,
      help: "The server's version (value 1)",
      labelNames: ["version"] as const,
      registers: [this.registry],
    }).set({ version: APP_VERSION }, 1);

    const state = (
      name: string,
      help: string,
      read: (s: StateSample, gauge: Gauge) => void,
      labelNames: string[] = [],
    ) => {
      const stateSample = () => this.stateSample();
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          const sample = await stateSample();
          this.reset();
          if (sample) read(sample, this);
        },
      });
    };
    state(
      "licenses",
      "Licenses by effective status (an active license past its expiry counts as expired)",
      (s, g) => {
        for (const [status, count] of Object.entries(s.licenses)) g.set({ status }, count);
      },
      ["status"],
    );
    state(
      "licenses_expiring",
      "Active licenses that expire within the window",
      (s, g) => {
        g.set({ within: "7d" }, s.expiring7d);
        g.set({ within: "30d" }, s.expiring30d);
      },
      ["within"],
    );
    state(
      "sessions_active",
      "Sessions that hold a seat (heartbeats on time or within the tolerance, or a grace token still valid)",
      (s, g) => {
        g.set(s.sessionsActive);
      },
    );
    state(
      "sessions_heartbeat_late",
      "Open sessions past their heartbeat deadline but within HEARTBEAT_TOLERANCE_SECONDS",
      (s, g) => {
        g.set(s.heartbeatLate);
      },
    );
    state(
      "webhook_queue_depth",
      "Webhook deliveries pending (due now, waiting for a retry, or for a disabled endpoint)",
      (s, g) => {
        g.set(s.webhookQueueDepth);
      },
    );
    state(
      "webhook_oldest_pending_seconds",
      "Age of the oldest pending webhook delivery (0: none pending)",
      (s, g) => {
        g.set(s.webhookOldestPendingSeconds);
      },
    );
    state(
      "sessions_heartbeat_dead",
      "Open sessions whose heartbeats stopped (past deadline + tolerance), not yet ended by the reaper",
      (s, g) => {
        g.set(s.heartbeatDead);
      },
    );
  }

  private counter<L extends string>(config: Omit<CounterConfiguration<L>, "registers">): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  setDatabaseSource(source: DatabaseSource): void {
    this.databaseSource = source;
  }

  /** The state gauges' numbers, or null without a database (the gauges are then left out). */
  private async stateSample(): Promise<StateSample | null> {
    if (!this.databaseSource) return null;
    const now = Date.now();
    if (!this.sample || now - this.sample.at > SAMPLE_TTL_MS) {
      const value = this.databaseSource().then(({ db, heartbeatToleranceSeconds }) =>
        sampleState(db, new Date(now), heartbeatToleranceSeconds),
      );
      this.sample = { at: now, value };
      value.catch(() => {
        if (this.sample?.value === value) this.sample = null;
      });
    }
    try {
      return await this.sample.value;
    } catch {
      return null; // a scrape with the database down still has the process's own metrics
    }
  }
}

async function sampleState(db: Db, now: Date, toleranceSeconds: number): Promise<StateSample> {
  const cutoff = deadCutoff(now, toleranceSeconds);
  const [
    byStatus,
    activeExpired,
    expiring7d,
    expiring30d,
    sessionsActive,
    heartbeatLate,
    heartbeatDead,
    webhookQueueDepth,
    oldestPending,
  ] = await Promise.all([
    db.license.groupBy({ by: ["status"], _count: { _all: true } }),
    db.license.count({ where: { status: "active", expiresAt: { lte: now } } }),
    db.license.count({
      where: { status: "active", expiresAt: { gt: now, lte: new Date(now.getTime() + 7 * DAY_MS) } },
    }),
    db.license.count({
      where: { status: "active", expiresAt: { gt: now, lte: new Date(now.getTime() + 30 * DAY_MS) } },
    }),
    db.session.count({ where: seatHolderWhere(now, toleranceSeconds) }),
    db.session.count({ where: { endedAt: null, deadlineAt: { lt: now, gte: cutoff } } }),
    db.session.count({ where: { endedAt: null, deadlineAt: { lt: cutoff } } }),
    db.webhookDelivery.count({ where: { status: "pending" } }),
    db.webhookDelivery.findFirst({
      where: { status: "pending" },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
  ]);
  const licenses: Record<string, number> = { active: 0, suspended: 0, revoked: 0, expired: 0 };
  for (const row of byStatus) licenses[row.status] = row._count._all;
  licenses.active = (licenses.active ?? 0) - activeExpired;
  licenses.expired = (licenses.expired ?? 0) + activeExpired;
  const webhookOldestPendingSeconds = oldestPending
    ? Math.max(0, (now.getTime() - oldestPending.createdAt.getTime()) / 1000)
    : 0;
  return {
    licenses,
    expiring7d,
    expiring30d,
    sessionsActive,
    heartbeatLate,
    heartbeatDead,
    webhookQueueDepth,
    webhookOldestPendingSeconds,
  };
}

const holder = globalThis as typeof globalThis & { __licenseServerMetrics?: ServerMetrics };

/** This process's metrics (created on first use, for the component that asks first). */
export function serverMetrics(component: MetricsComponent = "web"): ServerMetrics {
  holder.__licenseServerMetrics ??= new ServerMetrics(component);
  return holder.__licenseServerMetrics;
}

export type { ServerMetrics };

/** The text exposition format for a scrape. */
export async function renderMetrics(
  metrics = serverMetrics(),
): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

/** Whether a scrape may read the metrics: always without METRICS_TOKEN, else with its bearer token. */
export function metricsAuthorized(authorization: string | null | undefined, token: string | null): boolean {
  if (!token) return true;
  // compared as digests in constant time: the token's length and content stay unguessable
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(authorization ?? ""), digest(`Bearer ${token}`));
}

// --- the hooks -----------------------------------------------------------------------------------

/** A finished gRPC call (grpc-gateway's onCall). */
export function observeGrpcCall(record: { method: string; code: string; durationMs: number }): void {
  const [, service = "", method = ""] = /^\/([^/]+)\/([^/]+)$/.exec(record.method) ?? [];
  const labels = { service, method, code: record.code };
  const m = serverMetrics("gateway");
  m.grpcRequests.inc(labels);
  m.grpcDuration.observe(labels, record.durationMs / 1000);
}

/** A licensing call's answer (runClientOperation, both transports). */
export function observeClientResponse<Req, Res>(op: ClientOperation<Req, Res>, response: Res): void {
  const code = (response as { status?: unknown }).status;
  if (typeof code !== "number") return;
  const name: string | undefined = StatusCode[code];
  const status = name?.replace(/^STATUS_CODE_/, "") ?? String(code);
  const m = serverMetrics();
  m.licensingResponses.inc({ rpc: op.rpc, status });
  if (op.validation) m.validations.inc({ rpc: op.rpc, status });
}

/** Counts a rate-limited licensing call and rethrows whatever came (a `.catch` handler). */
// Each database error that becomes UNAVAILABLE, once, whichever transport answers it.
unavailableObservers.add((reason) => {
  serverMetrics().unavailable.inc({ reason });
});

// Each session granted in overage (beyond its license's seat limit), by product.
overageObservers.add((grant) => {
  serverMetrics().overageSessions.inc({ product: grant.productCode });
});

// Each webhook attempt this process makes: by outcome, and how long the receiver took.
webhookAttemptObservers.add((attempt) => {
  const m = serverMetrics();
  m.webhookDeliveries.inc({ outcome: attempt.outcome });
  m.webhookAttemptDuration.observe(attempt.latencyMs / 1000);
});

// Each audit checkpoint this process writes: its head and time.
auditCheckpointObservers.add((checkpoint) => {
  const m = serverMetrics();
  m.auditCheckpointSeq.set(checkpoint.seq);
  m.auditCheckpointTime.set(Date.parse(checkpoint.at) / 1000);
});

export function countRateLimited(rpc: string): (error: unknown) => never {
  return (error: unknown) => {
    if (error instanceof DomainError && error.code === "RATE_LIMITED")
      serverMetrics().rateLimited.inc({ rpc });
    throw error;
  };
}

type RouteHandler<A extends unknown[]> = (req: Request, ...args: A) => Response | Promise<Response>;

/**
 * Times an API route handler and counts its answers by route, method and status. `route` is the
 * route's pattern, or a function naming a finer route (e.g. the licensing operation); answers 404
 * are counted under the pattern, so unknown paths cannot blow up the label set.
 */
export function withMetrics<A extends unknown[]>(
  pattern: string,
  handler: RouteHandler<A>,
  route?: (req: Request, ...args: A) => Promise<string> | string,
): (req: Request, ...args: A) => Promise<Response> {
  return async (req, ...args) => {
    const started = performance.now();
    let status = 500;
    try {
      const response = await handler(req, ...args);
      status = response.status;
      return response;
    } finally {
      let name = pattern;
      if (route && status !== 404) {
        try {
          name = await route(req, ...args);
        } catch {
          // keep the pattern
        }
      }
      const labels = { route: name, method: req.method, status: String(status) };
      const m = serverMetrics();
      m.httpRequests.inc(labels);
      m.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
