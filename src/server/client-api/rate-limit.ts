// Rate limits of the licensing API: per license key and per client address, over a one-minute
// window. Counted in this process ("memory"), or in a store every process and instance shares
// ("database": a table in the PostgreSQL database; with SQLite, a file of its own beside the
// database, so counting never waits for the licensing data's write lock).
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { DbTarget } from "../db/provider.ts";
import type { Logger } from "../logger.ts";
import { DomainError } from "../core/errors.ts";

/** The shared store's table (PostgreSQL) or file (SQLite: beside the database file). */
export const RATE_LIMIT_TABLE = "client_rate_limits";
export const rateLimitFile = (databaseFile: string) => join(dirname(databaseFile), "rate-limits.db");

interface SharedStore {
  limiter(keyPrefix: string, points: number, insurance: RateLimiterMemory): Promise<RateLimiterAbstract>;
  close(): Promise<void>;
}

/** Calls back when the limiter's table exists (the library creates it in its constructor). */
function ready<T>(make: (cb: (error?: Error) => void) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const limiter = make((error) => {
      if (error) reject(error);
      else resolve(limiter);
    });
  });
}

function sharedStore(target: DbTarget, logger: Logger): SharedStore {
  const common = { duration: 60, tableName: RATE_LIMIT_TABLE, clearExpiredByTimeout: true };
  if (target.provider === "postgresql") {
    const pool = new pg.Pool({ connectionString: target.url, max: 4 });
    pool.on("error", (error) => {
      logger.warn({ err: error }, "an idle rate-limit connection broke; the pool replaces it");
    });
    return {
      limiter: (keyPrefix, points, insurance) =>
        ready(
          (cb) =>
            new RateLimiterPostgres(
              {
                ...common,
                storeClient: pool,
                storeType: "pool",
                keyPrefix,
                points,
                insuranceLimiter: insurance,
              },
              cb,
            ),
        ),
      close: () => pool.end(),
    };
  }
  const db = new Database(rateLimitFile(target.url), { timeout: 1000 });
  // counts, not records: losing the last writes in a power cut costs nothing
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  return {
    limiter: (keyPrefix, points, insurance) =>
      ready(
        (cb) =>
          new RateLimiterSQLite(
            {
              ...common,
              storeClient: db,
              storeType: "better-sqlite3",
              keyPrefix,
              points,
              insuranceLimiter: insurance,
            },
            cb,
          ),
      ),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

export interface RateState {
  limit: number;
  remaining: number;
  /** seconds until the window resets */
  resetSeconds: number;
}

export class ClientRateLimiter {
  private readonly limiters: Promise<{ byKey: RateLimiterAbstract; byPeer: RateLimiterAbstract }>;
  private readonly store: SharedStore | null;

  /**
   * With `shared`, counts go to the shared store; when it cannot answer, each process counts on
   * its own meanwhile (the insurance limiter) rather than refusing or waving calls through.
   */
  constructor(
    readonly perKey: number,
    readonly perPeer: number,
    shared?: { target: DbTarget; logger: Logger },
  ) {
    const memory = (keyPrefix: string, points: number) =>
      new RateLimiterMemory({ keyPrefix, points, duration: 60 });
    const local = { byKey: memory("key", perKey), byPeer: memory("peer", perPeer) };
    this.store = shared ? sharedStore(shared.target, shared.logger) : null;
    const store = this.store;
    this.limiters = store
      ? Promise.all([
          store.limiter("key", perKey, local.byKey),
          store.limiter("peer", perPeer, local.byPeer),
        ]).then(
          ([byKey, byPeer]) => ({ byKey, byPeer }),
          (error: unknown) => {
            // limits still hold, per process: better than refusing every licensing call
            shared?.logger.error(
              { err: error },
              "cannot use the shared rate-limit store; counting per process",
            );
            return local;
          },
        )
      : Promise.resolve(local);
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  /**
   * Counts one call; RATE_LIMITED (with Retry-After seconds) when either limit is spent. Returns
   * the tighter of the two states, for rate-limit headers.
   */
  async consume(peer: string, licenseKey: string | null): Promise<RateState> {
    const { byKey, byPeer } = await this.limiters;
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
    await take(byPeer, peer, this.perPeer, "from this address");
    // keys are counted as sent, upper-cased without separators, so spelling variants share a count
    if (licenseKey) {
      await take(byKey, licenseKey.toUpperCase().replace(/[\s-]/g, ""), this.perKey, "for this license key");
    }
    return states.reduce((a, b) => (b.remaining / b.limit < a.remaining / a.limit ? b : a));
  }
}
