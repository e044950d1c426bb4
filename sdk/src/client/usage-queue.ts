// The license client's metered usage: each record gets an idempotency key and is stored (in the
// cache's state) before it is sent; offline it waits (status QUEUED) and goes out, in order, when
// the server is back, counted once. Part of LicenseClient (see sdk/src/client/README.md).
import { randomUUID } from "node:crypto";
import type { PendingUsage } from "./cache.ts";
import type { SharedClientState, Connectivity } from "./shared-state.ts";
import { statusName } from "./convert.ts";
import { RequestRejectedError } from "./transport.ts";
import type { UsageResult } from "./types.ts";

export class UsageQueue {
  private readonly ctx: SharedClientState;
  private readonly connectivity: Connectivity;
  /** the flush running now: the next one waits for it, so records go out once and in order */
  private flushing: Promise<Map<string, UsageResult>> | undefined;

  constructor(ctx: SharedClientState, connectivity: Connectivity) {
    this.ctx = ctx;
    this.connectivity = connectivity;
  }

  /** Usage recorded while offline and not yet counted by the server. */
  pending(): readonly PendingUsage[] {
    return this.ctx.state.pendingUsage;
  }

  /** Stores a record, then sends the queue; QUEUED when the server could not be reached. */
  async record(featureCode: string, amount: number): Promise<UsageResult> {
    const { ctx } = this;
    const entry: PendingUsage = {
      featureCode,
      amount,
      idempotencyKey: randomUUID(),
      sessionId: ctx.state.sessionId ?? "",
      queuedAt: ctx.now().getTime(),
    };
    ctx.state.pendingUsage.push(entry);
    ctx.save();
    const results = await this.flush();
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
  flush(): Promise<Map<string, UsageResult>> {
    const { ctx } = this;
    const run = async (): Promise<Map<string, UsageResult>> => {
      const results = new Map<string, UsageResult>();
      while (ctx.state.pendingUsage.length > 0) {
        const entry = ctx.state.pendingUsage[0];
        if (!entry) break;
        let answer;
        try {
          answer = await this.send(entry);
        } catch (error) {
          if (error instanceof RequestRejectedError) {
            ctx.emit("error", { error });
            ctx.state.pendingUsage.shift();
            ctx.save();
            continue;
          }
          this.connectivity.wentOffline(error as Error);
          break;
        }
        this.connectivity.wentOnline();
        ctx.state.pendingUsage.shift();
        ctx.save();
        results.set(entry.idempotencyKey, answer);
      }
      return results;
    };
    const next = (this.flushing ?? Promise.resolve(new Map<string, UsageResult>())).then(run, run);
    this.flushing = next;
    return next;
  }

  private async send(entry: PendingUsage): Promise<UsageResult> {
    const { ctx } = this;
    const send = (sessionId: string) =>
      ctx.server.call("recordUsage", {
        licenseKey: ctx.licenseKey,
        client: ctx.clientInfo(),
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
}
