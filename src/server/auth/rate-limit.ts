// Brute-force protection for sign-in: failures are counted per account and per client address;
// past the limit the key is blocked for a while. Counted where RATE_LIMIT_STORE says
// (../rate-limit-store.ts): with "database", every process and instance shares the counts.
import type { RateLimiterRes } from "rate-limiter-flexible";
import { DomainError } from "../core/errors.ts";
import { createLimiters, type Limiters, type SharedLimitStore } from "../rate-limit-store.ts";

export interface LoginLimits {
  perAccount: { failures: number; windowSeconds: number; blockSeconds: number };
  perAddress: { failures: number; windowSeconds: number; blockSeconds: number };
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { failures: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAddress: { failures: 20, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
};

export class LoginLimiter {
  private readonly limiters: Limiters<"account" | "address">;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, shared?: SharedLimitStore) {
    const spec = (l: LoginLimits["perAccount"], keyPrefix: string) => ({
      keyPrefix,
      points: l.failures,
      duration: l.windowSeconds,
      blockDuration: l.blockSeconds,
    });
    this.limiters = createLimiters(
      {
        account: spec(limits.perAccount, "login-account"),
        address: spec(limits.perAddress, "login-address"),
      },
      shared,
    );
  }

  close(): Promise<void> {
    return this.limiters.close();
  }

  /** Throws RATE_LIMITED while the account or the address is blocked. */
  async check(account: string, address: string): Promise<void> {
    const limiters = await this.limiters.get;
    const [a, b] = await Promise.all([
      limiters.account.get(account.toLowerCase()),
      limiters.address.get(address),
    ]);
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
    const limiters = await this.limiters.get;
    await Promise.all([
      limiters.account.penalty(account.toLowerCase()).catch(() => undefined),
      limiters.address.penalty(address).catch(() => undefined),
    ]);
  }

  async success(account: string): Promise<void> {
    await (await this.limiters.get).account.delete(account.toLowerCase());
  }
}
