// Rate limits of the licensing API: per license key and per client address, over a one-minute
// window, in this process (several instances each count on their own).
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { DomainError } from "../core/errors.ts";

export interface RateState {
  limit: number;
  remaining: number;
  /** seconds until the window resets */
  resetSeconds: number;
}

export class ClientRateLimiter {
  private readonly byKey: RateLimiterMemory;
  private readonly byPeer: RateLimiterMemory;

  constructor(
    readonly perKey: number,
    readonly perPeer: number,
  ) {
    this.byKey = new RateLimiterMemory({ keyPrefix: "key", points: perKey, duration: 60 });
    this.byPeer = new RateLimiterMemory({ keyPrefix: "peer", points: perPeer, duration: 60 });
  }

  /**
   * Counts one call; RATE_LIMITED (with Retry-After seconds) when either limit is spent. Returns
   * the tighter of the two states, for rate-limit headers.
   */
  async consume(peer: string, licenseKey: string | null): Promise<RateState> {
    const states: RateState[] = [];
    const take = async (limiter: RateLimiterMemory, key: string, limit: number, what: string) => {
      try {
        const res = await limiter.consume(key);
        states.push({
          limit,
          remaining: res.remainingPoints,
          resetSeconds: Math.ceil(res.msBeforeNext / 1000),
        });
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new DomainError(
          "RATE_LIMITED",
          `too many calls ${what}; try again in ${retryAfterSeconds} s`,
          [],
          {
            retryAfterSeconds,
          },
        );
      }
    };
    await take(this.byPeer, peer, this.perPeer, "from this address");
    // keys are counted as sent, upper-cased without separators, so spelling variants share a count
    if (licenseKey) {
      await take(
        this.byKey,
        licenseKey.toUpperCase().replace(/[\s-]/g, ""),
        this.perKey,
        "for this license key",
      );
    }
    return states.reduce((a, b) => (b.remaining / b.limit < a.remaining / a.limit ? b : a));
  }
}
