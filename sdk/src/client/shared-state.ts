// What the parts of a LicenseClient share (offline-tiers.ts, session-keeper.ts, usage-queue.ts;
// see sdk/src/client/README.md): made once by the client and handed to each part, which never gets
// the client itself. Who asks (the canonical key, this machine, the options), the verified server,
// the clock, the persisted state, and the client's outputs: events and published results.
import type { ClientInfo } from "../generated/proto/license/v1/license.ts";
import type { CacheState } from "./cache.ts";
import type { LicenseClientEvents } from "./events.ts";
import type { LicenseClientOptions } from "./options.ts";
import type { ValidationResult } from "./types.ts";
import type { VerifiedServer } from "./verified-server.ts";

export type EmitEvent = <K extends keyof LicenseClientEvents>(
  event: K,
  payload: LicenseClientEvents[K],
) => void;

export interface SharedClientState {
  readonly options: LicenseClientOptions;
  /**
   * the key in its canonical form: what the server hashes into grace tokens and answers. Read it
   * at each use: after startTrial() it is the trial's key ("" before, for a client made without one)
   */
  readonly licenseKey: string;
  readonly fingerprint: string;
  readonly server: VerifiedServer;
  readonly now: () => Date;
  /** the persisted state: one object for the client's whole life, changed in place */
  readonly state: CacheState;
  /** writes the state to the cache (a failure is an `error` event, never thrown) */
  save(): void;
  emit: EmitEvent;
  /** makes a result the client's result, firing the events it calls for */
  publish(result: ValidationResult): ValidationResult;
  /** the last published result (null before the first) */
  last(): ValidationResult | null;
  /** between start() and stop(): only then are timers set */
  running(): boolean;
  /** this machine, as every request describes it */
  clientInfo(): ClientInfo;
}

/** The server's reachability as calls find it: the session keeper owns it, the usage queue reports to it. */
export interface Connectivity {
  /** an answer verified: "online" when it was offline before; the reconnect backoff starts over */
  wentOnline(): void;
  /** no verified answer: "offline" when it was not already */
  wentOffline(error: Error): void;
}

/** The longest delay setTimeout takes (about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
