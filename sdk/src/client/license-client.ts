// The license client for shipped software (Node, Electron's main process): validation with the
// fallback chain online → .lic → grace token → invalid, sessions with heartbeats that survive
// outages, buffered usage, and events. See sdk/README.md.
import { randomUUID } from "node:crypto";
import { hostname as osHostname } from "node:os";
import type { ClientInfo, StatusCode } from "../generated/proto/license/v1/license.ts";
import { verifyGraceToken, type PublicKeyEntry } from "../grace-token.ts";
import { verifyLicenseFile } from "../license-file.ts";
import { normalizeLicenseKey } from "../license-key.ts";
import { AnswerKeyring } from "../signed-answer.ts";
import { emptyState, StateCache, type CacheState, type PendingUsage } from "./cache.ts";
import { entitlementInfo, fromLicenseFile, licenseDetails, reviveDates, statusName } from "./convert.ts";
import { TypedEmitter, type LicenseClientEvents } from "./events.ts";
import { defaultFingerprint } from "./fingerprint.ts";
import {
  grpcTransport,
  RequestRejectedError,
  restTransport,
  TransportUnavailableError,
  type LicenseTransport,
} from "./transport.ts";
import type { LicenseTlsOptions } from "./tls.ts";
import { VerifiedServer } from "./verified-server.ts";
import type { EntitlementInfo, LicenseDetails, UsageResult, ValidationResult } from "./types.ts";

export interface LicenseClientOptions {
  /**
   * The license server: a gRPC address ("licenses.example.com:50051"), a REST base URL
   * ("https://licenses.example.com"), or both (`{ grpc, rest }`: gRPC first, REST when gRPC fails).
   * None: air-gapped, the offline tiers alone decide.
   */
  server?: string | { grpc?: string; rest?: string };
  licenseKey: string;
  /**
   * TLS on both transports: the CA certificate(s) to trust (PEM; instead of the system roots) and/or
   * pinned SHA-256 hashes (base64) of the server key's SubjectPublicKeyInfo. A failed check is an
   * outage (the offline tiers decide), never a fallback to plaintext. See sdk/README.md "TLS".
   */
  tls?: LicenseTlsOptions;
  /** the product code this software is */
  product: string;
  /**
   * the vendor's public keys, embedded at build time (the server's GetPublicKeys /
   * /api/signing-key): they verify every online answer, grace token and .lic file
   */
  publicKeys: readonly PublicKeyEntry[];
  /** this machine's id; default: a hash of the OS machine id and the product (see defaultFingerprint) */
  fingerprint?: string;
  /** where the encrypted state (last result, grace token, queued usage) is kept; none: in memory only */
  cacheDir?: string;
  /** an offline license file's text (.lic), the tier after online */
  licenseFile?: string;
  clientVersion?: string;
  hostname?: string;
  /** the clock (tests, or a trusted time source) */
  now?: () => Date;
  /** per call; default 5000 ms */
  requestTimeoutMs?: number;
  /** how far the clock may go back before CLOCK_TAMPERED; default 10 minutes */
  clockToleranceMs?: number;
  /** "grace-expiring" fires when less than this is left; default the smaller of 12 h and a quarter of the grace */
  graceWarningMs?: number;
  /** heartbeats come after 90–100 % of the server's interval with the default 0.1 */
  heartbeatJitter?: number;
  /** reconnect backoff: doubling from initialDelayMs to maxDelayMs, with jitter */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * replaces the transports made from `server` (tests, custom networking); their answers are
   * verified like any other
   */
  transport?: LicenseTransport | readonly LicenseTransport[];
}

const MAX_TIMER_MS = 2_147_483_647;

export class LicenseClient extends TypedEmitter<LicenseClientEvents> {
  readonly fingerprint: string;
  private readonly options: LicenseClientOptions;
  /** the key in its canonical form: what the server hashes into grace tokens and answers */
  private readonly licenseKey: string;
  private readonly server: VerifiedServer;
  private readonly cache: StateCache | null;
  private readonly now: () => Date;
  private state: CacheState;
  private cacheWasCorrupt = false;
  private last: ValidationResult | null = null;
  private online: boolean | null = null;
  private running = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private graceWarned: string | undefined;
  private flushing: Promise<Map<string, UsageResult>> | undefined;

  constructor(options: LicenseClientOptions) {
    super();
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.fingerprint = options.fingerprint ?? defaultFingerprint(options.product);
    this.licenseKey = normalizeLicenseKey(options.licenseKey) ?? options.licenseKey.trim();
    const timeout = options.requestTimeoutMs ?? 5000;
    const transports: LicenseTransport[] = [];
    if (options.transport) {
      const given = options.transport;
      transports.push(...(isTransportList(given) ? given : [given]));
    } else {
      const server = typeof options.server === "string" ? classify(options.server) : (options.server ?? {});
      if (server.grpc) transports.push(grpcTransport(server.grpc, timeout, options.tls));
      if (server.rest) transports.push(restTransport(server.rest, timeout, undefined, options.tls));
    }
    this.server = new VerifiedServer(
      transports,
      new AnswerKeyring(options.publicKeys),
      { licenseKey: this.licenseKey, fingerprint: this.fingerprint, productCode: options.product },
      (error) => {
        this.emit("untrusted-answer", { reason: error.reason, transport: error.transport, error });
      },
    );
    this.cache = options.cacheDir
      ? new StateCache(options.cacheDir, this.licenseKey, options.product, this.fingerprint)
      : null;
    const loaded = this.cache?.load();
    this.cacheWasCorrupt = loaded?.corrupt ?? false;
    this.state = loaded?.state ?? emptyState();
  }

  /** The last result (null before the first validation). */
  get result(): ValidationResult | null {
    return this.last;
  }

  /** The session this machine holds (after start()), if any. */
  get sessionId(): string | null {
    return this.state.sessionId ?? null;
  }

  hasFeature(featureCode: string): boolean {
    return this.last?.valid === true && this.last.entitlements.some((e) => e.featureCode === featureCode);
  }

  entitlements(): EntitlementInfo[] {
    return this.last?.valid ? [...this.last.entitlements] : [];
  }

  /** Usage recorded while offline and not yet counted by the server. */
  pendingUsage(): readonly PendingUsage[] {
    return this.state.pendingUsage;
  }

  /** One validation through the fallback chain. */
  async validate(): Promise<ValidationResult> {
    this.reportCorruptCache();
    try {
      const { answer, serverTime } = await this.server.call("validate", {
        licenseKey: this.licenseKey,
        client: this.clientInfo(),
      });
      this.wentOnline();
      const result = this.onlineResult(answer, serverTime);
      await this.keepOnline(result, answer.graceToken, serverTime);
      return this.publish(result);
    } catch (error) {
      return this.publish(await this.failed(error));
    }
  }

  /**
   * Takes a seat and keeps it with heartbeats at the server's interval. Through an outage the
   * app runs on the grace token while the client reconnects with backoff; when the server is
   * back the same session continues (or, if it ended meanwhile, this machine activates again —
   * the server gives a machine its open session back, never a second seat).
   */
  async start(): Promise<ValidationResult> {
    this.running = true;
    this.reportCorruptCache();
    return this.activate();
  }

  /**
   * Sends the session's heartbeat now instead of at its time (after the machine slept, or to
   * check at once whether the server is back). Activates when there is no session.
   */
  async heartbeatNow(): Promise<void> {
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    await this.heartbeat();
  }

  /** Ends the session (freeing the seat), sends queued usage, stops all timers. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimers();
    await this.flushUsage().catch(() => undefined);
    const sessionId = this.state.sessionId;
    if (sessionId) {
      try {
        const { answer } = await this.server.call("deactivate", {
          licenseKey: this.licenseKey,
          sessionId,
          client: this.clientInfo(),
        });
        delete this.state.sessionId;
        // the seat is free now: a floating license's token was a lease on it
        if (statusName(answer.status) === "VALID" && this.floating()) delete this.state.graceToken;
        this.save();
        this.emit("session-ended", { sessionId, reason: "deactivated" });
      } catch {
        // unreachable: the server's reaper frees the seat after the missed heartbeats
      }
    }
  }

  /** stop(), then closes the connections. */
  async close(): Promise<void> {
    await this.stop();
    this.server.close();
  }

  /**
   * Records use of a metered feature. Each record gets an idempotency key and is stored before it
   * is sent; offline it waits (status QUEUED) and goes out when the server is back, counted once.
   */
  async recordUsage(featureCode: string, amount = 1): Promise<UsageResult> {
    const entry: PendingUsage = {
      featureCode,
      amount,
      idempotencyKey: randomUUID(),
      sessionId: this.state.sessionId ?? "",
      queuedAt: this.now().getTime(),
    };
    this.state.pendingUsage.push(entry);
    this.save();
    const results = await this.flushUsage();
    return (
      results.get(entry.idempotencyKey) ?? {
        status: "QUEUED",
        message: "the server is unreachable: recorded here and sent when it is back",
        idempotencyKey: entry.idempotencyKey,
        used: null,
        quota: null,
        replayed: false,
      }
    );
  }

  /** Sends queued usage in order; stops at the first unreachable call (the rest stays queued). */
  flushUsage(): Promise<Map<string, UsageResult>> {
    const run = async (): Promise<Map<string, UsageResult>> => {
      const results = new Map<string, UsageResult>();
      while (this.state.pendingUsage.length > 0) {
        const entry = this.state.pendingUsage[0];
        if (!entry) break;
        let answer;
        try {
          answer = await this.sendUsage(entry);
        } catch (error) {
          if (error instanceof RequestRejectedError) {
            this.emit("error", { error });
            this.state.pendingUsage.shift();
            this.save();
            continue;
          }
          this.wentOffline(error as Error);
          break;
        }
        this.wentOnline();
        this.state.pendingUsage.shift();
        this.save();
        results.set(entry.idempotencyKey, answer);
      }
      return results;
    };
    const next = (this.flushing ?? Promise.resolve(new Map<string, UsageResult>())).then(run, run);
    this.flushing = next;
    return next;
  }

  // ---- internals ----

  private async sendUsage(entry: PendingUsage): Promise<UsageResult> {
    const send = (sessionId: string) =>
      this.server.call("recordUsage", {
        licenseKey: this.licenseKey,
        client: this.clientInfo(),
        featureCode: entry.featureCode,
        amount: entry.amount,
        idempotencyKey: entry.idempotencyKey,
        sessionId,
      });
    let { answer } = await send(entry.sessionId);
    // the session ended while the record waited: count it for the license all the same
    if (statusName(answer.status) === "SESSION_NOT_FOUND" && entry.sessionId) ({ answer } = await send(""));
    const status = statusName(answer.status);
    return {
      status: status === "ERROR" ? "VALID" : status,
      message: answer.message,
      idempotencyKey: entry.idempotencyKey,
      used: answer.used,
      quota: answer.quota ?? null,
      replayed: answer.replayed,
    };
  }

  private async activate(): Promise<ValidationResult> {
    try {
      const { answer, serverTime } = await this.server.call("activate", {
        licenseKey: this.licenseKey,
        client: this.clientInfo(),
        metadata: {},
      });
      this.wentOnline();
      const result = this.onlineResult(answer, serverTime);
      await this.keepOnline(result, answer.graceToken, serverTime);
      if (result.valid) {
        this.state.sessionId = answer.sessionId;
        this.save();
        this.scheduleHeartbeat(answer.heartbeatIntervalSeconds);
        void this.flushUsage();
      }
      return this.publish(result);
    } catch (error) {
      const result = this.publish(await this.failed(error));
      if (error instanceof TransportUnavailableError) this.scheduleReconnect();
      return result;
    }
  }

  private async heartbeat(): Promise<void> {
    const sessionId = this.state.sessionId;
    if (!this.running) return;
    if (!sessionId) {
      await this.activate();
      return;
    }
    try {
      const { answer, serverTime } = await this.server.call("heartbeat", {
        licenseKey: this.licenseKey,
        sessionId,
        client: this.clientInfo(),
      });
      this.wentOnline();
      const status = statusName(answer.status);
      if (status === "VALID") {
        this.observe(serverTime);
        await this.keepGraceToken(answer.graceToken, serverTime);
        this.save();
        const interval = this.last?.license?.heartbeatIntervalSeconds ?? 300;
        // after an outage the result was offline: validate online again to refresh it
        if (this.last?.tier !== "online") await this.validate();
        this.scheduleHeartbeat(interval);
        void this.flushUsage();
        return;
      }
      delete this.state.sessionId;
      this.save();
      this.emit("session-ended", { sessionId, reason: status });
      if (status === "SESSION_NOT_FOUND" || status === "HEARTBEAT_DEAD") {
        await this.activate();
        return;
      }
      // the license itself stopped granting: say so, and keep no grace
      await this.validate();
    } catch (error) {
      if (error instanceof RequestRejectedError) {
        this.emit("error", { error });
        return;
      }
      this.wentOffline(error as Error);
      this.publish(await this.offlineResult());
      this.scheduleReconnect();
    }
  }

  private scheduleHeartbeat(intervalSeconds: number): void {
    clearTimeout(this.heartbeatTimer);
    if (!this.running) return;
    const jitter = this.options.heartbeatJitter ?? 0.1;
    const delay = Math.max(1000, intervalSeconds * 1000 * (1 - jitter * Math.random()));
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), Math.min(delay, MAX_TIMER_MS));
    this.heartbeatTimer.unref();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    if (!this.running) return;
    const initial = this.options.reconnect?.initialDelayMs ?? 1000;
    const max = this.options.reconnect?.maxDelayMs ?? 60_000;
    const ceiling = Math.min(max, initial * 2 ** this.reconnectAttempt);
    // "equal jitter": half fixed, half random, so clients that lost the server together spread out
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => void this.heartbeat(), delay);
    this.reconnectTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.graceTimer);
  }

  private clientInfo(): ClientInfo {
    return {
      productCode: this.options.product,
      fingerprint: this.fingerprint,
      clientVersion: this.options.clientVersion ?? "",
      hostname: this.options.hostname ?? osHostname(),
    };
  }

  /** A verified answer as the client's result; its signed server time raises the high-water mark. */
  private onlineResult(
    answer: {
      status: StatusCode;
      message: string;
      license?: Parameters<typeof licenseDetails>[0];
      entitlements: Parameters<typeof entitlementInfo>[0][];
      graceTokenExpiresAt?: Date | undefined;
    },
    serverTime: Date,
  ): ValidationResult {
    const status = statusName(answer.status);
    const checkedAt = serverTime;
    this.observe(checkedAt);
    return {
      valid: status === "VALID",
      status,
      tier: "online",
      message: answer.message,
      license: licenseDetails(answer.license),
      entitlements: answer.entitlements.map(entitlementInfo),
      validUntil: status === "VALID" ? (answer.graceTokenExpiresAt ?? null) : null,
      checkedAt,
    };
  }

  /** Remembers a VALID online answer (and its grace token); a refusal drops both. */
  private async keepOnline(result: ValidationResult, graceToken: string, serverTime: Date): Promise<void> {
    if (result.valid) {
      await this.keepGraceToken(graceToken, serverTime);
      this.state.lastOnline = {
        status: result.status,
        message: result.message,
        license: result.license,
        entitlements: result.entitlements,
        checkedAt: result.checkedAt.getTime(),
      };
    } else {
      delete this.state.graceToken;
      delete this.state.lastOnline;
    }
    this.save();
  }

  /**
   * Stores a grace token only when it verifies for this license, machine and product at the
   * server's signed time (a token that does not is dropped and reported, never kept).
   */
  private async keepGraceToken(token: string, serverTime: Date): Promise<void> {
    if (!token) return;
    const grace = await verifyGraceToken(token, this.options.publicKeys, {
      fingerprint: this.fingerprint,
      licenseKey: this.licenseKey,
      productCode: this.options.product,
      now: serverTime,
    });
    if (!grace.valid) {
      this.emit("error", {
        error: new Error(`the server's grace token does not verify (${grace.reason}): not kept`),
      });
      return;
    }
    this.state.graceToken = token;
  }

  /** Whether the license is floating, as the last verified online answer said (unknown: yes). */
  private floating(): boolean {
    const license = this.state.lastOnline?.license as { type?: string } | null | undefined;
    return license?.type !== "node_locked";
  }

  /**
   * No verified answer: the offline tiers decide. A refused request is unsigned (anyone on the
   * network can forge one), so it is reported but decides nothing on its own.
   */
  private async failed(error: unknown): Promise<ValidationResult> {
    if (error instanceof RequestRejectedError) {
      this.emit("error", { error });
      const offline = await this.offlineResult();
      if (offline.valid) return offline;
      return this.invalid("ERROR", `the server refused the request: ${error.message}`, offline.checkedAt);
    }
    this.wentOffline(error as Error);
    return this.offlineResult();
  }

  /** The offline tiers: the .lic file, then the grace token. */
  private async offlineResult(): Promise<ValidationResult> {
    const now = this.now();
    const highWater = new Date(this.state.highWaterMs);
    const tolerance = this.options.clockToleranceMs ?? 600_000;
    if (now.getTime() < this.state.highWaterMs - tolerance) {
      this.emit("clock-tampered", { now, highWater });
      return this.invalid(
        "CLOCK_TAMPERED",
        `the clock reads ${now.toISOString()}, before ${highWater.toISOString()} seen earlier: offline validation refused`,
      );
    }
    // a small step back within the tolerance buys nothing: check against the latest time seen.
    // Only signed times (answers, tokens, files) raise the mark, so a lying clock or server cannot.
    const at = new Date(Math.max(now.getTime(), this.state.highWaterMs));
    const keys = this.options.publicKeys;
    const reasons: string[] = [];
    let fileExpired = false;

    if (this.options.licenseFile) {
      const file = await verifyLicenseFile(this.options.licenseFile, keys, {
        fingerprint: this.fingerprint,
        now: at,
        licenseKey: this.licenseKey,
        productCode: this.options.product,
      });
      if (file.valid) {
        this.raiseHighWater(new Date(file.payload.issuedAt));
        const { license, entitlements } = fromLicenseFile(file.payload);
        return {
          valid: true,
          status: "VALID",
          tier: "license_file",
          message: `valid offline: license file until ${file.expiresAt.toISOString()}`,
          license,
          entitlements,
          validUntil: file.expiresAt,
          checkedAt: at,
        };
      }
      reasons.push(`license file: ${file.reason}`);
      if (file.reason === "EXPIRED") fileExpired = true;
    }

    const token = this.state.graceToken;
    if (token) {
      const grace = await verifyGraceToken(token, keys, {
        fingerprint: this.fingerprint,
        licenseKey: this.licenseKey,
        productCode: this.options.product,
        now: at,
      });
      if (grace.valid) {
        if (grace.claims.iat !== undefined) this.raiseHighWater(new Date(grace.claims.iat * 1000));
        const cached = this.state.lastOnline ? reviveDates(this.state.lastOnline) : null;
        const granted = new Set(grace.claims.ent);
        const entitlements = ((cached?.entitlements ?? []) as EntitlementInfo[]).filter((e) =>
          granted.has(e.featureCode),
        );
        this.watchGrace(grace.expiresAt, at);
        return {
          valid: true,
          status: "VALID",
          tier: "grace",
          message: `the server is unreachable: running on the grace token until ${grace.expiresAt.toISOString()}`,
          license: (cached?.license ?? null) as LicenseDetails | null,
          entitlements,
          validUntil: grace.expiresAt,
          checkedAt: at,
        };
      }
      reasons.push(`grace token: ${grace.reason}`);
      if (grace.reason === "EXPIRED") {
        const result = this.invalid("EXPIRED", "the server is unreachable and the grace period is over", at);
        this.emit("expired", result);
        return result;
      }
    }
    if (fileExpired) {
      const result = this.invalid(
        "EXPIRED",
        `the server is unreachable and the license file has expired${reasons.length > 1 ? ` (${reasons.join("; ")})` : ""}`,
        at,
      );
      this.emit("expired", result);
      return result;
    }
    return this.invalid(
      "OFFLINE",
      `the server is unreachable and nothing offline holds${reasons.length ? ` (${reasons.join("; ")})` : ""}`,
      at,
    );
  }

  private watchGrace(expiresAt: Date, at: Date): void {
    const remaining = expiresAt.getTime() - at.getTime();
    const license = this.state.lastOnline ? reviveDates(this.state.lastOnline).license : null;
    const graceMs = ((license as LicenseDetails | null)?.gracePeriodHours ?? 72) * 3_600_000;
    const warning = this.options.graceWarningMs ?? Math.min(12 * 3_600_000, graceMs / 4);
    const id = expiresAt.toISOString();
    if (this.last?.tier !== "grace") this.emit("grace-started", { expiresAt });
    if (remaining <= warning && this.graceWarned !== id) {
      this.graceWarned = id;
      this.emit("grace-expiring", { expiresAt, remainingMs: remaining });
    }
    clearTimeout(this.graceTimer);
    if (!this.running) return;
    const wakeIn = remaining > warning ? remaining - warning : remaining;
    this.graceTimer = setTimeout(
      () => {
        void this.offlineResult().then((result) => this.publish(result));
      },
      Math.min(Math.max(wakeIn, 1000), MAX_TIMER_MS),
    );
    this.graceTimer.unref();
  }

  private invalid(status: ValidationResult["status"], message: string, at = this.now()): ValidationResult {
    return {
      valid: false,
      status,
      tier: "none",
      message,
      license: null,
      entitlements: [],
      validUntil: null,
      checkedAt: at,
    };
  }

  /** Raises the clock's high-water mark: only ever with a verified, signed time. */
  private observe(time: Date): void {
    this.state.highWaterMs = Math.max(this.state.highWaterMs, time.getTime());
  }

  /** observe() for the offline tiers' signed times, saved at once. */
  private raiseHighWater(time: Date): void {
    if (time.getTime() <= this.state.highWaterMs) return;
    this.observe(time);
    this.save();
  }

  private wentOnline(): void {
    this.reconnectAttempt = 0;
    clearTimeout(this.reconnectTimer);
    if (this.online !== true) {
      const first = this.online === null;
      this.online = true;
      if (!first) this.emit("online", { at: this.now() });
    }
  }

  private wentOffline(error: Error): void {
    if (this.online !== false) {
      this.online = false;
      this.emit("offline", { error });
    }
  }

  private publish(result: ValidationResult): ValidationResult {
    const before = this.last;
    this.last = result;
    if (before) {
      const had = new Map(before.entitlements.map((e) => [e.featureCode, e]));
      const has = new Map(result.entitlements.map((e) => [e.featureCode, e]));
      const added = result.entitlements.filter((e) => !had.has(e.featureCode));
      const removed = before.entitlements.filter((e) => !has.has(e.featureCode));
      if (added.length || removed.length) this.emit("feature-changed", { added, removed });
    }
    if (result.valid) this.emit("validated", result);
    else this.emit("invalid", result);
    if (result.status === "EXPIRED" && result.tier === "online") this.emit("expired", result);
    return result;
  }

  private save(): void {
    try {
      this.cache?.save(this.state);
    } catch (error) {
      this.emit("error", { error: error as Error });
    }
  }

  private reportCorruptCache(): void {
    if (!this.cacheWasCorrupt) return;
    this.cacheWasCorrupt = false;
    this.emit("error", {
      error: new Error(`the license cache ${this.cache?.path ?? ""} was unreadable or changed: ignored`),
    });
  }
}

function isTransportList(
  value: LicenseTransport | readonly LicenseTransport[],
): value is readonly LicenseTransport[] {
  return Array.isArray(value);
}

function classify(server: string): { grpc?: string; rest?: string } {
  return /^https?:\/\//i.test(server) ? { rest: server } : { grpc: server };
}
