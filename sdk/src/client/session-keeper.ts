// The license client's online side: validation, the session (activation, heartbeats at the
// server's interval, deactivation), reconnecting with backoff through an outage, and the
// online/offline transitions. When no verified answer comes, the offline tiers decide. Part of
// LicenseClient (see sdk/src/client/README.md).
import { MAX_TIMER_MS, type SharedClientState, type Connectivity } from "./shared-state.ts";
import { statusName } from "./convert.ts";
import { invalidResult, type OfflineTiers } from "./offline-tiers.ts";
import { RequestRejectedError, TransportUnavailableError } from "./transport.ts";
import type { ValidationResult } from "./types.ts";

export class SessionKeeper implements Connectivity {
  private readonly ctx: SharedClientState;
  private readonly tiers: OfflineTiers;
  /** sends the queued usage (after an activation or a good heartbeat) */
  private readonly flushUsage: () => Promise<unknown>;
  /** null: no call has been answered or failed yet */
  private online: boolean | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;

  constructor(ctx: SharedClientState, tiers: OfflineTiers, flushUsage: () => Promise<unknown>) {
    this.ctx = ctx;
    this.tiers = tiers;
    this.flushUsage = flushUsage;
  }

  /** One validation through the fallback chain, published. */
  async validate(): Promise<ValidationResult> {
    const { ctx } = this;
    try {
      const { answer, serverTime } = await ctx.server.call("validate", {
        licenseKey: ctx.licenseKey,
        client: ctx.clientInfo(),
      });
      this.wentOnline();
      return ctx.publish(await this.tiers.acceptOnline(answer, serverTime));
    } catch (error) {
      return ctx.publish(await this.failed(error));
    }
  }

  /** Takes a seat (or gets this machine's open session back) and schedules its heartbeat. */
  async activate(): Promise<ValidationResult> {
    const { ctx } = this;
    try {
      const { answer, serverTime } = await ctx.server.call("activate", {
        licenseKey: ctx.licenseKey,
        client: ctx.clientInfo(),
        metadata: {},
      });
      this.wentOnline();
      const result = await this.tiers.acceptOnline(answer, serverTime);
      if (result.valid) {
        ctx.state.sessionId = answer.sessionId;
        ctx.save();
        this.scheduleHeartbeat(answer.heartbeatIntervalSeconds);
        void this.flushUsage();
      }
      return ctx.publish(result);
    } catch (error) {
      const result = ctx.publish(await this.failed(error));
      if (error instanceof TransportUnavailableError) this.scheduleReconnect();
      return result;
    }
  }

  /** The heartbeat now instead of at its time; activates when there is no session. */
  async heartbeatNow(): Promise<void> {
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    await this.heartbeat();
  }

  /** Ends the session, freeing the seat (unreachable: the server's reaper frees it later). */
  async deactivate(): Promise<void> {
    const { ctx } = this;
    const sessionId = ctx.state.sessionId;
    if (!sessionId) return;
    try {
      const { answer } = await ctx.server.call("deactivate", {
        licenseKey: ctx.licenseKey,
        sessionId,
        client: ctx.clientInfo(),
      });
      delete ctx.state.sessionId;
      // the seat is free now: a floating license's token was a lease on it
      if (statusName(answer.status) === "VALID" && this.floating()) delete ctx.state.graceToken;
      ctx.save();
      ctx.emit("session-ended", { sessionId, reason: "deactivated" });
    } catch {
      // unreachable: the server's reaper frees the seat after the missed heartbeats
    }
  }

  /** Stops the heartbeat and reconnect timers. */
  clearTimers(): void {
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
  }

  wentOnline(): void {
    this.reconnectAttempt = 0;
    clearTimeout(this.reconnectTimer);
    if (this.online !== true) {
      const first = this.online === null;
      this.online = true;
      if (!first) this.ctx.emit("online", { at: this.ctx.now() });
    }
  }

  wentOffline(error: Error): void {
    if (this.online !== false) {
      this.online = false;
      this.ctx.emit("offline", { error });
    }
  }

  private async heartbeat(): Promise<void> {
    const { ctx } = this;
    const sessionId = ctx.state.sessionId;
    if (!ctx.running()) return;
    if (!sessionId) {
      await this.activate();
      return;
    }
    try {
      const { answer, serverTime } = await ctx.server.call("heartbeat", {
        licenseKey: ctx.licenseKey,
        sessionId,
        client: ctx.clientInfo(),
      });
      this.wentOnline();
      const status = statusName(answer.status);
      if (status === "VALID") {
        this.tiers.observe(serverTime);
        await this.tiers.keepGraceToken(answer.graceToken, serverTime);
        this.tiers.noteCheckIn(answer.standing);
        ctx.save();
        const interval = ctx.last()?.license?.heartbeatIntervalSeconds ?? 300;
        // after an outage the result was offline: validate online again to refresh it
        if (ctx.last()?.tier !== "online") await this.validate();
        this.scheduleHeartbeat(interval);
        void this.flushUsage();
        return;
      }
      delete ctx.state.sessionId;
      ctx.save();
      ctx.emit("session-ended", { sessionId, reason: status });
      if (status === "SESSION_NOT_FOUND" || status === "HEARTBEAT_DEAD") {
        await this.activate();
        return;
      }
      // the license itself stopped granting: say so, and keep no grace
      await this.validate();
    } catch (error) {
      if (error instanceof RequestRejectedError) {
        ctx.emit("error", { error });
        return;
      }
      this.wentOffline(error as Error);
      ctx.publish(await this.tiers.decide());
      this.scheduleReconnect();
    }
  }

  private scheduleHeartbeat(intervalSeconds: number): void {
    clearTimeout(this.heartbeatTimer);
    if (!this.ctx.running()) return;
    const jitter = this.ctx.options.heartbeatJitter ?? 0.1;
    const delay = Math.max(1000, intervalSeconds * 1000 * (1 - jitter * Math.random()));
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), Math.min(delay, MAX_TIMER_MS));
    this.heartbeatTimer.unref();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    if (!this.ctx.running()) return;
    const initial = this.ctx.options.reconnect?.initialDelayMs ?? 1000;
    const max = this.ctx.options.reconnect?.maxDelayMs ?? 60_000;
    const ceiling = Math.min(max, initial * 2 ** this.reconnectAttempt);
    // "equal jitter": half fixed, half random, so clients that lost the server together spread out
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => void this.heartbeat(), delay);
    this.reconnectTimer.unref();
  }

  /**
   * No verified answer: the offline tiers decide. A refused request is unsigned (anyone on the
   * network can forge one), so it is reported but decides nothing on its own.
   */
  private async failed(error: unknown): Promise<ValidationResult> {
    if (error instanceof RequestRejectedError) {
      this.ctx.emit("error", { error });
      const offline = await this.tiers.decide();
      if (offline.valid) return offline;
      return invalidResult("ERROR", `the server refused the request: ${error.message}`, offline.checkedAt);
    }
    this.wentOffline(error as Error);
    return this.tiers.decide();
  }

  /** Whether the license is floating, as the last verified online answer said (unknown: yes). */
  private floating(): boolean {
    const license = this.ctx.state.lastOnline?.license as { type?: string } | null | undefined;
    return license?.type !== "node_locked";
  }
}
