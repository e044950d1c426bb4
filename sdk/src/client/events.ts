// A small typed event emitter (no Node APIs), so listeners get checked payloads.
import type { EntitlementInfo, ValidationResult } from "./types.ts";

export interface LicenseClientEvents {
  validated: ValidationResult;
  invalid: ValidationResult;
  /** the server stopped answering; the offline tiers decide until it is back */
  offline: { error: Error };
  online: { at: Date };
  /** running on the grace token (the server is unreachable) */
  "grace-started": { expiresAt: Date };
  /** the grace token runs out soon */
  "grace-expiring": { expiresAt: Date; remainingMs: number };
  /** the license, or the grace or .lic validity, ran out */
  expired: ValidationResult;
  /** offline past the license's required check-in: the offline tiers refuse until it validates online */
  overdue: ValidationResult;
  "feature-changed": { added: EntitlementInfo[]; removed: EntitlementInfo[] };
  "session-ended": { sessionId: string; reason: string };
  "clock-tampered": { now: Date; highWater: Date };
  /**
   * an answer did not verify (fake server, replay, tampering, unknown key): it decided and stored
   * nothing, and the offline tiers decided as if the server were unreachable
   */
  "untrusted-answer": { reason: string; transport: "grpc" | "rest"; error: Error };
  error: { error: Error };
}

type Listener<T> = (payload: T) => void;

export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return () => {
      this.off(event, listener);
    };
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch {
        // a listener's failure is its own; the client carries on
      }
    }
  }
}
