// The gate in front of sign-in's expensive checks (scrypt at N=2^15 is ~100 ms of a CPU and 32 MB
// each): at most `concurrency` run at once, and waiting checks take turns by client address, so
// a flood from one address waits behind itself instead of in front of everyone else. Full queues
// refuse at once (nothing is hashed): RATE_LIMITED for the address's own queue, UNAVAILABLE for the
// whole gate.
import { DomainError } from "../core/errors.ts";

export interface CheckGateLimits {
  /** checks running at once */
  concurrency: number;
  /** checks one address may have waiting */
  queuePerAddress: number;
  /** checks waiting in all */
  queueTotal: number;
}

export const DEFAULT_CHECK_GATE: CheckGateLimits = { concurrency: 2, queuePerAddress: 4, queueTotal: 64 };

export class CheckGate {
  private running = 0;
  private waiting = 0;
  /** waiting checks by address; the Map's order is the turn order (an address served goes last) */
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(private readonly limits: CheckGateLimits = DEFAULT_CHECK_GATE) {}

  /** Checks running and waiting now (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  async run<T>(address: string, check: () => Promise<T>): Promise<T> {
    if (this.running < this.limits.concurrency && this.waiting === 0) this.running++;
    else await this.enqueue(address);
    try {
      return await check();
    } finally {
      this.release();
    }
  }

  private enqueue(address: string): Promise<void> {
    const queue = this.queues.get(address) ?? [];
    if (queue.length >= this.limits.queuePerAddress) {
      throw new DomainError("RATE_LIMITED", "too many sign-in attempts at once; try again in 1 s", [], {
        retryAfterSeconds: 1,
      });
    }
    if (this.waiting >= this.limits.queueTotal) {
      throw new DomainError("UNAVAILABLE", "the server is busy with sign-ins; try again in 1 s", [], {
        retryAfterSeconds: 1,
      });
    }
    this.waiting++;
    if (!this.queues.has(address)) this.queues.set(address, queue);
    return new Promise((resolve) => queue.push(resolve));
  }

  /** Hands the finished check's slot to the next address in turn, or frees it. */
  private release(): void {
    const next = this.queues.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [address, queue] = next.value;
    const wake = queue.shift();
    this.queues.delete(address);
    if (queue.length > 0) this.queues.set(address, queue);
    this.waiting--;
    wake?.();
  }
}
