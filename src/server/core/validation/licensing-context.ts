// What the licensing API (shipped software's side) runs with. Its callers hold a license key, not
// an admin identity: operations take this context and act, in the audit log, as the client.
import type { Db } from "../../db/client.ts";
import type { FastReads } from "../../db/fast-reads.ts";
import type { DbProvider } from "../../db/provider.ts";
import type { Logger } from "../../logger.ts";
import type { Actor, Clock, DomainContext } from "../context.ts";
import type { HeartbeatBuffer } from "../sessions/heartbeat-buffer.ts";
import type { Signer } from "../signing-keys/active-signer.ts";

export interface LicensingContext {
  db: Db;
  /** the hot-path reads (prepared SQL beside Prisma) */
  reads: FastReads;
  provider: DbProvider;
  clock: Clock;
  logger: Logger;
  /** the caller's address, for the audit log and sessions */
  ip?: string | null;
  encryptionKey: Buffer;
  /** the key that signs grace tokens now (callers cache it) */
  signer(): Promise<Signer>;
  /** how late a heartbeat may be before its session counts as dead */
  heartbeatToleranceSeconds: number;
  /** where heartbeats' deadline extensions wait to be written (see heartbeat-buffer.ts) */
  heartbeats: HeartbeatBuffer;
}

/** The client as an audit actor: the license it used and the machine it runs on. */
export function clientActor(licenseId: string, fingerprint: string): Actor {
  return {
    type: "client",
    id: licenseId,
    label: `machine ${fingerprint.slice(0, 64)}`,
    role: "viewer",
    groupIds: [],
  };
}

export function asDomainContext(ctx: LicensingContext, actor: Actor): DomainContext {
  return {
    db: ctx.db,
    provider: ctx.provider,
    clock: ctx.clock,
    logger: ctx.logger,
    actor,
    ip: ctx.ip ?? null,
    encryptionKey: ctx.encryptionKey,
  };
}
