// The license client for shipped software (Node, Electron's main process): validation with the
// fallback chain online → .lic → grace token → invalid, sessions with heartbeats that survive
// outages, buffered usage, and events. See sdk/README.md.
//
// This class is the coordinator: it owns the public API, the persisted state and the published
// result, and hands the work to its parts through a SharedClientState (sdk/src/client/README.md):
// offline-tiers.ts (clock guard, .lic, grace token), session-keeper.ts (validation, session,
// heartbeats, reconnect) and usage-queue.ts (metered usage).
import { normalizeLicenseKey } from "../license-key.ts";
import { AnswerKeyring } from "../signed-answer.ts";
import { emptyState, StateCache, type CacheState, type PendingUsage } from "./cache.ts";
import type { SharedClientState } from "./shared-state.ts";
import { TypedEmitter, type LicenseClientEvents } from "./events.ts";
import { defaultFingerprint } from "./fingerprint.ts";
import { invalidResult, OfflineTiers } from "./offline-tiers.ts";
import { clientInfo, transportsFor, type LicenseClientOptions } from "./options.ts";
import { SessionKeeper } from "./session-keeper.ts";
import { StatusCode } from "../generated/proto/license/v1/license.ts";
import { statusName } from "./convert.ts";
import { RequestRejectedError } from "./transport.ts";
import type { EntitlementInfo, TrialResult, UsageResult, ValidationResult } from "./types.ts";
import { UsageQueue } from "./usage-queue.ts";
import { VerifiedServer } from "./verified-server.ts";

export type { LicenseClientOptions } from "./options.ts";

export class LicenseClient extends TypedEmitter<LicenseClientEvents> {
  readonly fingerprint: string;
  private readonly server: VerifiedServer;
  private readonly cache: StateCache | null;
  /** the persisted state: the parts change this same object */
  private readonly state: CacheState;
  private cacheWasCorrupt = false;
  private last: ValidationResult | null = null;
  private running = false;
  private readonly tiers: OfflineTiers;
  private readonly session: SessionKeeper;
  private readonly usage: UsageQueue;
  /** the key asked with: the one given, or the trial's (startTrial, or kept in the cache) */
  private licenseKey: string;
  private readonly options: LicenseClientOptions;

  constructor(options: LicenseClientOptions) {
    super();
    this.options = options;
    const now = options.now ?? (() => new Date());
    const fingerprint = options.fingerprint ?? defaultFingerprint(options.product);
    this.fingerprint = fingerprint;
    // the key in its canonical form: what the server hashes into grace tokens and answers
    const licenseKey = normalizeLicenseKey(options.licenseKey) ?? options.licenseKey.trim();
    this.server = new VerifiedServer(
      transportsFor(options),
      new AnswerKeyring(options.publicKeys),
      { licenseKey, fingerprint, productCode: options.product },
      (error) => {
        this.emit("untrusted-answer", { reason: error.reason, transport: error.transport, error });
      },
    );
    this.cache = options.cacheDir
      ? new StateCache(options.cacheDir, licenseKey, options.product, fingerprint)
      : null;
    const loaded = this.cache?.load();
    this.cacheWasCorrupt = loaded?.corrupt ?? false;
    this.state = loaded?.state ?? emptyState();
    // a client made without a key runs on the trial this machine started earlier
    this.licenseKey = licenseKey || (this.state.trialLicenseKey ?? "");
    if (this.licenseKey !== licenseKey) this.server.useLicenseKey(this.licenseKey);
    const currentKey = () => this.licenseKey;

    const context: SharedClientState = {
      options,
      get licenseKey() {
        return currentKey();
      },
      fingerprint,
      server: this.server,
      now,
      state: this.state,
      save: () => {
        this.save();
      },
      emit: (event, payload) => {
        this.emit(event, payload);
      },
      publish: (result) => this.publish(result),
      last: () => this.last,
      running: () => this.running,
      clientInfo: () => clientInfo(options, fingerprint),
    };
    this.tiers = new OfflineTiers(context);
    this.session = new SessionKeeper(context, this.tiers, () => this.usage.flush());
    this.usage = new UsageQueue(context, this.session);
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
    return this.usage.pending();
  }

  /** One validation through the fallback chain. */
  async validate(): Promise<ValidationResult> {
    this.reportCorruptCache();
    return this.session.validate();
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
    return this.session.activate();
  }

  /**
   * Sends the session's heartbeat now instead of at its time (after the machine slept, or to
   * check at once whether the server is back). Activates when there is no session.
   */
  async heartbeatNow(): Promise<void> {
    await this.session.heartbeatNow();
  }

  /** Ends the session (freeing the seat), sends queued usage, stops all timers. */
  async stop(): Promise<void> {
    this.running = false;
    this.session.clearTimers();
    this.tiers.stopGraceWatch();
    await this.usage.flush().catch(() => undefined);
    await this.session.deactivate();
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
    return this.usage.record(featureCode, amount);
  }

  /**
   * Starts the product's trial on this machine (StartTrial; once per machine and product, ever).
   * VALID: the trial's key becomes this client's key (kept in the cache, so a client made without
   * a key on this machine uses it next time) and the answer is taken like a validation's (grace
   * token, result, events). Refusals (TRIAL_ALREADY_USED, TRIAL_NOT_AVAILABLE) change nothing;
   * OFFLINE when the server cannot be reached or its answer does not verify.
   */
  async startTrial(options: { email?: string } = {}): Promise<TrialResult> {
    const failed = (status: "OFFLINE" | "ERROR", message: string): TrialResult => ({
      ...invalidResult(status, message, (this.options.now ?? (() => new Date()))()),
      licenseKey: null,
    });
    let verified;
    try {
      verified = await this.server.call("startTrial", {
        client: clientInfo(this.options, this.fingerprint),
        email: options.email ?? "",
      });
    } catch (error) {
      if (error instanceof RequestRejectedError) return failed("ERROR", error.message);
      return failed("OFFLINE", (error as Error).message);
    }
    const { answer, serverTime } = verified;
    if (answer.status !== StatusCode.STATUS_CODE_VALID || !answer.licenseKey) {
      return {
        ...failed("ERROR", answer.message),
        status: statusName(answer.status),
        tier: "online",
        checkedAt: serverTime,
      };
    }
    this.licenseKey = normalizeLicenseKey(answer.licenseKey) ?? answer.licenseKey;
    this.server.useLicenseKey(this.licenseKey);
    this.state.trialLicenseKey = this.licenseKey;
    const result = this.publish(await this.tiers.acceptOnline(answer, serverTime));
    return { ...result, licenseKey: this.licenseKey };
  }

  /** Sends queued usage in order; stops at the first unreachable call (the rest stays queued). */
  flushUsage(): Promise<Map<string, UsageResult>> {
    return this.usage.flush();
  }

  // ---- internals ----

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
