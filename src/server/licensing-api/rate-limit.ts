// Rate limits of the licensing API: per license key and per client address, over a one-minute
// window, and StartTrial per client address over an hour (it names no key, and each call may
// issue a license); an IPv6 address counts by its /64 (peerKey). Counted where RATE_LIMIT_STORE
// says (../rate-limit-store.ts).
import { isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { DomainError } from "../core/errors.ts";
import { normalizeLicenseKey } from "../core/licenses/license-key.ts";
import { createLimiters, type Limiters, type SharedLimitStore } from "../rate-limit-store.ts";

/** StartTrial calls per hour per client address when CLIENT_TRIAL_RATE_LIMIT_PER_HOUR is not set. */
export const TRIAL_RATE_LIMIT_PER_HOUR = 10;

export interface RateState {
  limit: number;
  remaining: number;
  /** seconds until the window resets */
  resetSeconds: number;
}

/**
 * The per-key count's key: the key as the server reads it (normalizeLicenseKey: case, dashes,
 * spaces, O for 0, I and L for 1), so that every spelling of one key shares one count. A key that
 * is not well formed is counted as sent, upper-cased (its own count; it finds no license anyway).
 */
export function rateKey(licenseKey: string): string {
  return normalizeLicenseKey(licenseKey) ?? licenseKey.toUpperCase();
}

/**
 * The per-address count's key: an IPv6 peer is counted by its /64 (the least one host gets from
 * its provider, so a host cannot spread calls over its own addresses), an IPv4 or IPv4-mapped IPv6
 * peer by its whole address; anything that does not parse as an address is counted as sent.
 */
export function peerKey(peer: string): string {
  const bare = peer.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (!isIPv6(bare)) return peer;
  const address = ipaddr.IPv6.parse(bare);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  const prefix = new ipaddr.IPv6([...address.parts.slice(0, 4), 0, 0, 0, 0]);
  return `${prefix.toString()}/64`;
}

export class LicensingRateLimiter {
  private readonly limiters: Limiters<"byKey" | "byPeer" | "trialByPeer">;

  /** With `shared`, the counts are shared by every process using that store. */
  constructor(
    readonly perKey: number,
    readonly perPeer: number,
    shared?: SharedLimitStore,
    readonly trialsPerHour = TRIAL_RATE_LIMIT_PER_HOUR,
  ) {
    this.limiters = createLimiters(
      {
        byKey: { keyPrefix: "key", points: perKey, duration: 60 },
        byPeer: { keyPrefix: "peer", points: perPeer, duration: 60 },
        trialByPeer: { keyPrefix: "trial", points: trialsPerHour, duration: 3600 },
      },
      shared,
    );
  }

  close(): Promise<void> {
    return this.limiters.close();
  }

  /**
   * Counts one call; RATE_LIMITED (with Retry-After seconds) when a limit is spent. Returns the
   * tightest state, for rate-limit headers. `trial`: a StartTrial, also counted per address by the hour.
   */
  async consume(peer: string, licenseKey: string | null, trial = false): Promise<RateState> {
    const { byKey, byPeer, trialByPeer } = await this.limiters.get;
    const address = peerKey(peer);
    const states: RateState[] = [];
    const take = async (limiter: RateLimiterAbstract, key: string, limit: number, what: string) => {
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
    await take(byPeer, address, this.perPeer, "from this address");
    if (trial) await take(trialByPeer, address, this.trialsPerHour, "starting trials from this address");
    if (licenseKey) await take(byKey, rateKey(licenseKey), this.perKey, "for this license key");
    return states.reduce((a, b) => (b.remaining / b.limit < a.remaining / a.limit ? b : a));
  }
}
