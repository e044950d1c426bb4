// Brute-force protection for sign-in (and, later, the licensing endpoints): failures are counted
// per account and per client address; past the limit the key is blocked for a while.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { DomainError } from "../core/errors.ts";

export interface LoginLimits {
  perAccount: { failures: number; windowSeconds: number; blockSeconds: number };
  perAddress: { failures: number; windowSeconds: number; blockSeconds: number };
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { failures: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAddress: { failures: 20, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
};

export class LoginLimiter {
  private readonly account: RateLimiterMemory;
  private readonly address: RateLimiterMemory;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    const make = (l: LoginLimits["perAccount"], keyPrefix: string) =>
      new RateLimiterMemory({
        keyPrefix,
        points: l.failures,
        duration: l.windowSeconds,
        blockDuration: l.blockSeconds,
      });
    this.account = make(limits.perAccount, "login-account");
    this.address = make(limits.perAddress, "login-address");
  }

  /** Throws RATE_LIMITED while the account or the address is blocked. */
  async check(account: string, address: string): Promise<void> {
    const [a, b] = await Promise.all([this.account.get(account.toLowerCase()), this.address.get(address)]);
    const blocked = [a, b].filter((r): r is RateLimiterRes => r !== null && r.remainingPoints <= 0);
    if (blocked.length > 0) {
      const retryAfterSeconds = Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000);
      throw new DomainError(
        "RATE_LIMITED",
        `too many failed sign-in attempts; try again in ${retryAfterSeconds} s`,
        [],
        {
          retryAfterSeconds,
        },
      );
    }
  }

  async failure(account: string, address: string): Promise<void> {
    await Promise.all([
      this.account.penalty(account.toLowerCase()).catch(() => undefined),
      this.address.penalty(address).catch(() => undefined),
    ]);
  }

  async success(account: string): Promise<void> {
    await this.account.delete(account.toLowerCase());
  }
}
