// Configuration from the environment and an optional JSON file (LICENSE_SERVER_CONFIG), checked
// with Zod at start. Environment variables win over the file. Secrets that are not given are
// generated once into <DATA_DIR>/secrets.json (mode 0600) by the launcher.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { LdapConfig } from "./auth/ldap/config.ts";
import { LdapConfigError, loadLdapConfig } from "./auth/ldap/load-config.ts";
import { parseTrustProxy, TrustProxyError, type TrustProxy } from "./client-address.ts";
import { scheduleProblem } from "./core/backups/schedule-pattern.ts";
import { parseDatabaseUrl, type DbTarget } from "./db/provider.ts";

const port = z.coerce.number().int().min(1).max(65535);
const key32 = z
  .string()
  .refine((v) => decodeKey(v)?.length === 32, "must be 32 bytes, as 64 hex digits or base64");

export const ZConfigInput = z.object({
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.string().min(1).optional(),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  GRPC_HOST: z.string().min(1).optional(),
  GRPC_PORT: port.default(50051),
  /** PEM certificate (chain) and private key: the sidecar serves TLS only, when both are set */
  GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  /** PEM CA certificate(s): with it, clients must present a certificate it signed (mutual TLS) */
  GRPC_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** HMAC key for admin JWTs; at least 32 characters */
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** AES-256-GCM key for secrets at rest (signing keys, TOTP secrets, backups) */
  ENCRYPTION_KEY: key32.optional(),
  /** how late a heartbeat may be (after its deadline) before the session counts as dead */
  HEARTBEAT_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** how often the sidecar ends dead sessions; 0 turns the reaper off */
  REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** licensing API calls per minute per license key (gRPC and the REST twin) */
  CLIENT_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(600),
  /** licensing API calls per minute per client address */
  CLIENT_RATE_LIMIT_PER_PEER: z.coerce.number().int().min(1).default(6000),
  /** StartTrial calls per hour per client address (on top of the per-address limit) */
  CLIENT_TRIAL_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** where sign-in and licensing rate limits count: "memory" (each process) or "database" (shared) */
  RATE_LIMIT_STORE: z.enum(["memory", "database"]).default("memory"),
  /**
   * whose X-Forwarded-For is believed for client addresses (limits, audit): false (the socket's
   * address), a number of proxies in front, or proxy addresses/CIDRs (comma-separated or a list)
   */
  TRUST_PROXY: z
    .union([z.boolean(), z.number(), z.string(), z.array(z.string())])
    .optional()
    .transform((value, ctx): TrustProxy => {
      try {
        return parseTrustProxy(value);
      } catch (error) {
        if (!(error instanceof TrustProxyError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
        return z.NEVER;
      }
    }),
  LICENSE_SERVER_ADMIN_EMAIL: z.email().optional(),
  LICENSE_SERVER_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** where backups go (scheduled ones, and `admin backup` without a file name); default DATA_DIR/backups */
  BACKUP_DIR: z.string().min(1).optional(),
  /** AES-256-GCM key of backup files; default ENCRYPTION_KEY */
  BACKUP_KEY: key32.optional(),
  /** cron expression (UTC) for scheduled backups by the sidecar, e.g. "0 2 * * *"; unset: none */
  BACKUP_SCHEDULE: z
    .string()
    .min(1)
    .refine((v) => scheduleProblem(v) === null, {
      error: (issue) => `not a cron expression: ${scheduleProblem(String(issue.input))}`,
    })
    .optional(),
  /** scheduled backups kept in BACKUP_DIR (older ones are deleted after each run) */
  BACKUP_RETENTION: z.coerce.number().int().min(1).max(10_000).default(7),
  /** the sidecar's Prometheus endpoint (http://GRPC_HOST:<port>/metrics); 0 turns it off */
  GRPC_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** when set, /metrics (web app and sidecar) wants `Authorization: Bearer <token>` */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** largest request body of the admin API (tRPC, /api/v1, sign-in), in bytes; larger: 413 */
  ADMIN_API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(1024 * 1024),
  /** largest request body of the licensing REST twin (/api/v1/client/...), in bytes; larger: 413 */
  CLIENT_API_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(64 * 1024),
  /**
   * webhook targets in private, loopback, link-local or other non-public ranges are refused unless
   * this is true (tests, on-premise receivers)
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
    .default(false)
    .transform((v) => v === true || v === "true" || v === "1"),
  /** how long a webhook delivery waits for the receiver's answer */
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(15),
  /** deliveries one sidecar sends at a time (at most 2 to the same endpoint) */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /**
   * the first retry delay of a failed delivery; later ones grow from it (x6, x24, ... x5760): with
   * the default 5 s the retries span about a day
   */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  /** an endpoint whose deliveries have failed without a success for this long is disabled */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 365)
    .default(72),
});
export type TConfigInput = z.input<typeof ZConfigInput>;

export interface Config {
  dataDir: string;
  database: DbTarget;
  databaseUrl: string;
  host: string;
  port: number;
  grpcHost: string;
  grpcPort: number;
  /** the sidecar's TLS files; null: plaintext (behind a TLS-terminating proxy, or local only) */
  grpcTls: GrpcTlsConfig | null;
  logLevel: z.infer<typeof ZConfigInput>["LOG_LEVEL"];
  jwtSecret: string;
  encryptionKey: Buffer;
  initialAdmin: { email?: string; password?: string };
  /** LDAP sign-in (LDAP_* settings); null when LDAP_URL is not set */
  ldap: LdapConfig | null;
  licensing: LicensingConfig;
  /** where the sign-in limits count (the licensing API's: licensing.rateLimitStore, the same setting) */
  rateLimitStore: RateLimitStore;
  /** TRUST_PROXY: which proxies' X-Forwarded-For gives the client address (src/server/client-address.ts) */
  trustProxy: TrustProxy;
  backup: BackupConfig;
  metrics: MetricsConfig;
  /** request body limits of the web routes (src/server/http/body-limit.ts) */
  http: HttpConfig;
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  concurrency: number;
  retryBaseMs: number;
  disableAfterMs: number;
}

export interface HttpConfig {
  adminMaxBodyBytes: number;
  clientMaxBodyBytes: number;
}

export interface BackupConfig {
  dir: string;
  /** the key backup files are sealed with (BACKUP_KEY, else ENCRYPTION_KEY) */
  key: Buffer;
  /** cron expression (UTC), or null: no scheduled backups */
  schedule: string | null;
  retention: number;
}

export interface MetricsConfig {
  /** the sidecar's /metrics port; 0 = off */
  grpcPort: number;
  /** bearer token /metrics asks for, or null: open */
  token: string | null;
}

/** Where the licensing API's rate limits are counted: each process, or a store all share. */
export type RateLimitStore = "memory" | "database";

/** The licensing API's knobs (shipped software's side). */
/** Absolute paths; the files are read (and re-read on SIGHUP) by the sidecar. */
export interface GrpcTlsConfig {
  certFile: string;
  keyFile: string;
  clientCaFile: string | null;
}

export interface LicensingConfig {
  heartbeatToleranceSeconds: number;
  reaperIntervalSeconds: number;
  rateLimitPerKey: number;
  rateLimitPerPeer: number;
  /** StartTrial calls per hour per client address (CLIENT_TRIAL_RATE_LIMIT_PER_HOUR); default 10 */
  trialRateLimitPerHour?: number;
  /** where calls are counted; default "memory" */
  rateLimitStore?: RateLimitStore;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const SECRETS_FILE = "secrets.json";

function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  const buf = Buffer.from(value, "base64");
  return buf.length > 0 ? buf : undefined;
}

function readJson(path: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${what} ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Keeps the variables the schema knows; empty strings count as unset. */
function pick(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ZConfigInput.shape)) {
    const value = source[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}

function parse(input: Record<string, unknown>) {
  const result = ZConfigInput.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const given = input[name];
      const shown =
        name.includes("SECRET") || name.includes("PASSWORD") || name.includes("KEY") || name.includes("TOKEN")
          ? ""
          : ` (got ${JSON.stringify(given)})`;
      return `  ${name}: ${issue.message}${given === undefined ? "" : shown}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

/**
 * Loads and checks the configuration. With `generateSecrets`, missing secrets are created in the
 * data directory (the launcher does this once, before the web app and the sidecar start).
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { generateSecrets?: boolean } = {},
): Config {
  const file = env.LICENSE_SERVER_CONFIG ? readJson(env.LICENSE_SERVER_CONFIG, "Config file") : {};
  const settings = parse({ ...pick(file), ...pick(env) });
  const dataDir = resolve(settings.DATA_DIR);

  const secretsPath = join(dataDir, SECRETS_FILE);
  let stored: Record<string, unknown> = existsSync(secretsPath) ? readJson(secretsPath, "Secrets file") : {};
  if ((!settings.JWT_SECRET && !stored.JWT_SECRET) || (!settings.ENCRYPTION_KEY && !stored.ENCRYPTION_KEY)) {
    if (!options.generateSecrets) {
      throw new ConfigError(
        `JWT_SECRET and ENCRYPTION_KEY are not set and ${secretsPath} does not hold them; start the server with npm start once, or set them`,
      );
    }
    stored = {
      JWT_SECRET: randomBytes(48).toString("base64url"),
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...stored,
    };
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(secretsPath, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
  }
  const secrets = parse({ ...pick(stored), ...pick(file), ...pick(env) });

  const grpcTls = grpcTlsConfig(settings);

  const databaseUrl = settings.DATABASE_URL ?? `file:${join(dataDir, "license.db")}`;
  let database: DbTarget;
  try {
    database = parseDatabaseUrl(databaseUrl);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  DATABASE_URL: ${(error as Error).message}`);
  }

  let ldap: LdapConfig | null;
  try {
    const strings = (source: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(source)
          .filter(([key, value]) => key.startsWith("LDAP_") && value !== undefined && value !== null)
          .map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
      );
    ldap = loadLdapConfig({ ...strings(file), ...strings(env) });
  } catch (error) {
    if (error instanceof LdapConfigError) throw new ConfigError(`Invalid configuration:\n  ${error.message}`);
    throw error;
  }

  const encryptionKey = decodeKey(secrets.ENCRYPTION_KEY ?? "") ?? Buffer.alloc(0);
  return {
    ldap,
    dataDir,
    database,
    databaseUrl,
    host: settings.HOST,
    port: settings.PORT,
    grpcHost: settings.GRPC_HOST ?? settings.HOST,
    grpcPort: settings.GRPC_PORT,
    grpcTls,
    logLevel: settings.LOG_LEVEL,
    jwtSecret: secrets.JWT_SECRET ?? "",
    encryptionKey,
    rateLimitStore: settings.RATE_LIMIT_STORE,
    trustProxy: settings.TRUST_PROXY,
    licensing: {
      heartbeatToleranceSeconds: settings.HEARTBEAT_TOLERANCE_SECONDS,
      reaperIntervalSeconds: settings.REAPER_INTERVAL_SECONDS,
      rateLimitPerKey: settings.CLIENT_RATE_LIMIT_PER_KEY,
      rateLimitPerPeer: settings.CLIENT_RATE_LIMIT_PER_PEER,
      trialRateLimitPerHour: settings.CLIENT_TRIAL_RATE_LIMIT_PER_HOUR,
      rateLimitStore: settings.RATE_LIMIT_STORE,
    },
    backup: {
      dir: resolve(settings.BACKUP_DIR ?? join(dataDir, "backups")),
      key: settings.BACKUP_KEY ? (decodeKey(settings.BACKUP_KEY) ?? encryptionKey) : encryptionKey,
      schedule: settings.BACKUP_SCHEDULE ?? null,
      retention: settings.BACKUP_RETENTION,
    },
    metrics: { grpcPort: settings.GRPC_METRICS_PORT, token: settings.METRICS_TOKEN ?? null },
    http: {
      adminMaxBodyBytes: settings.ADMIN_API_MAX_BODY_BYTES,
      clientMaxBodyBytes: settings.CLIENT_API_MAX_BODY_BYTES,
    },
    webhooks: {
      allowPrivateTargets: settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      timeoutMs: settings.WEBHOOK_TIMEOUT_SECONDS * 1000,
      concurrency: settings.WEBHOOK_CONCURRENCY,
      retryBaseMs: settings.WEBHOOK_RETRY_BASE_MS,
      disableAfterMs: Math.round(settings.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000),
    },
    initialAdmin: {
      email: settings.LICENSE_SERVER_ADMIN_EMAIL,
      password: settings.LICENSE_SERVER_ADMIN_PASSWORD,
    },
  };
}

function grpcTlsConfig(settings: z.infer<typeof ZConfigInput>): GrpcTlsConfig | null {
  const { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key, GRPC_TLS_CLIENT_CA_FILE: ca } = settings;
  if (!cert && !key) {
    if (ca) {
      throw new ConfigError(
        "Invalid configuration:\n  GRPC_TLS_CLIENT_CA_FILE: needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE (client certificates are checked over TLS only)",
      );
    }
    return null;
  }
  if (!cert || !key) {
    const missing = cert ? "GRPC_TLS_KEY_FILE" : "GRPC_TLS_CERT_FILE";
    throw new ConfigError(
      `Invalid configuration:\n  ${missing}: not set; the sidecar's TLS needs both GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE`,
    );
  }
  return { certFile: resolve(cert), keyFile: resolve(key), clientCaFile: ca ? resolve(ca) : null };
}
