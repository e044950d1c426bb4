// Brute-force protection for sign-in. Every attempt is counted before anything is checked: it
// takes a point from the account's and the address's budgets at once (rate-limiter-flexible's
// `consume`, atomic in memory and in the shared stores), so no batch and no number of parallel
// requests gets more checks than the budget holds. A success gives its points back; a failure
// keeps them; past the limit the key is blocked for a while and nothing is checked (no hashing).
// The expensive checks themselves run through a gate (./check-gate.ts). Counted where
// RATE_LIMIT_STORE says (../rate-limit-store.ts): with "database", every process and instance
// shares the counts.
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { DomainError } from "../core/errors.ts";
import { createLimiters, type Limiters, type SharedLimitStore } from "../rate-limit-store.ts";
import { CheckGate, DEFAULT_CHECK_GATE, type CheckGateLimits } from "./check-gate.ts";

export interface LoginLimits {
  perAccount: { failures: number; windowSeconds: number; blockSeconds: number };
  perAddress: { failures: number; windowSeconds: number; blockSeconds: number };
  /** the gate in front of password and recovery-code hashing (default DEFAULT_CHECK_GATE) */
  checks?: CheckGateLimits;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccount: { failures: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  perAddress: { failures: 20, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
};

/** How a counted attempt ended. */
export type AttemptOutcome =
  /** signed in: the points go back */
  | "success"
  /** checked and refused: the points stay */
  | "failure"
  /** nothing was decided (a second factor is missing, the checks were busy): the points go back */
  | "undecided";

/** One counted sign-in attempt; `end` once, with how it went. */
export interface SignInAttempt {
  end(outcome: AttemptOutcome): Promise<void>;
}

function rateLimited(res: RateLimiterRes): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new DomainError(
    "RATE_LIMITED",
    `too many failed sign-in attempts; try again in ${retryAfterSeconds} s`,
    [],
    { retryAfterSeconds },
  );
}

export class LoginLimiter {
  private readonly limiters: Limiters<"account" | "address">;
  /** the expensive checks of sign-ins: a few at once, in turns by address */
  readonly gate: CheckGate;

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
    this.gate = new CheckGate(limits.checks ?? DEFAULT_CHECK_GATE);
  }

  close(): Promise<void> {
    return this.limiters.close();
  }

  /**
   * Counts one attempt for the account (case-insensitive) and the address, before it is checked.
   * Throws RATE_LIMITED when either budget is spent; a refused attempt counts nowhere.
   */
  async begin(account: string, address: string): Promise<SignInAttempt> {
    const { account: byAccount, address: byAddress } = await this.limiters.get;
    const accountKey = account.toLowerCase();
    await take(byAddress, address);
    try {
      await take(byAccount, accountKey);
    } catch (error) {
      await giveBack(byAddress, address);
      throw error;
    }
    let ended = false;
    return {
      end: async (outcome) => {
        if (ended || outcome === "failure") {
          ended = true;
          return;
        }
        ended = true;
        await Promise.all([giveBack(byAccount, accountKey), giveBack(byAddress, address)]);
      },
    };
  }
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw rateLimited(error);
    throw error;
  }
}

/** Returns an attempt's point; a lost refund only makes the limit stricter, so it never fails the call. */
async function giveBack(limiter: RateLimiterAbstract, key: string): Promise<void> {
  await limiter.reward(key).catch(() => undefined);
}
