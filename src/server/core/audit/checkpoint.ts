// The audit chain's anchor outside the table: a checkpoint of its head (seq, hash, time) signed
// with the server's active Ed25519 signing key, kept in DATA_DIR/audit-head.json (written through
// a temporary file and a rename, mode 0600, only ever moved forward), logged and exported as
// metrics. Deleting the newest records or rewriting the chain below the checkpoint is then seen
// by verifyAuditChain even with recomputed hashes.
import { createPublicKey } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Db } from "../../db/client.ts";
import { decryptSecret } from "../../crypto/aes-gcm.ts";
import {
  keyId,
  privateKeyFromPem,
  publicKeyFromPem,
  rawPublicKey,
  signEd25519,
  verifyEd25519,
} from "../../crypto/ed25519.ts";
import type { Logger } from "../../logger.ts";
import { loadActiveSigner } from "../signing-keys/active-signer.ts";
import { walkAuditChain, type ChainBreak } from "./chain-walk.ts";
import { auditChainKey } from "./write-audit-event.ts";

export const CHECKPOINT_FILE = "audit-head.json";
const FORMAT = "license-server audit head v1";
/** A lock file older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 30_000;

export interface AuditCheckpoint {
  format: typeof FORMAT;
  seq: number;
  hash: string;
  /** when the checkpoint was made (ISO-8601) */
  at: string;
  /** the signing key's id */
  kid: string;
  /** Ed25519 over checkpointMessage(), base64 */
  signature: string;
}

/** Where a process keeps its checkpoint. */
export interface AuditAnchor {
  file: string;
}

export const anchorIn = (dataDir: string): AuditAnchor => ({ file: join(dataDir, CHECKPOINT_FILE) });

export interface CheckpointDeps {
  db: Db;
  encryptionKey: Buffer;
  logger: Logger;
  now?: () => Date;
}

/** The signed bytes: the format name and the fields, as a JSON array. */
export function checkpointMessage(cp: Pick<AuditCheckpoint, "seq" | "hash" | "at" | "kid">): Buffer {
  return Buffer.from(JSON.stringify([FORMAT, cp.seq, cp.hash, cp.at, cp.kid]), "utf8");
}

export type ReadCheckpoint =
  | { state: "missing" }
  | { state: "invalid"; error: string }
  | { state: "present"; checkpoint: AuditCheckpoint };

export async function readCheckpoint(anchor: AuditAnchor): Promise<ReadCheckpoint> {
  let text: string;
  try {
    text = await readFile(anchor.file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
    return { state: "invalid", error: `cannot read ${anchor.file}: ${(error as Error).message}` };
  }
  try {
    const value = JSON.parse(text) as Partial<AuditCheckpoint>;
    if (
      value.format !== FORMAT ||
      !Number.isSafeInteger(value.seq) ||
      (value.seq ?? 0) < 1 ||
      typeof value.hash !== "string" ||
      !/^[0-9a-f]{64}$/.test(value.hash) ||
      typeof value.at !== "string" ||
      typeof value.kid !== "string" ||
      typeof value.signature !== "string"
    )
      return { state: "invalid", error: `${anchor.file} is not an audit checkpoint` };
    return { state: "present", checkpoint: value as AuditCheckpoint };
  } catch {
    return { state: "invalid", error: `${anchor.file} is not JSON` };
  }
}

/**
 * Null when the checkpoint was signed by one of this server's keys; else why not. "This server's"
 * means more than "a row in SigningKey" (a database writer can add a row): the key's private half
 * must decrypt with this ENCRYPTION_KEY and match the public key that verifies the signature.
 */
export async function checkpointSignatureError(
  db: Db,
  encryptionKey: Buffer,
  cp: AuditCheckpoint,
): Promise<string | null> {
  const key = await db.signingKey.findUnique({
    where: { kid: cp.kid },
    select: { publicKeyPem: true, privateKeyEnc: true },
  });
  if (!key) return `the checkpoint's signing key ${cp.kid} is not in the keyring`;
  let publicKey;
  try {
    publicKey = publicKeyFromPem(key.publicKeyPem);
    const derived = createPublicKey(
      privateKeyFromPem(decryptSecret(encryptionKey, key.privateKeyEnc, `signing-key:${cp.kid}`)),
    );
    if (keyId(publicKey) !== cp.kid || !rawPublicKey(derived).equals(rawPublicKey(publicKey)))
      return `signing key ${cp.kid} in the keyring is not the key of that id`;
  } catch {
    return `signing key ${cp.kid} does not decrypt with this server's ENCRYPTION_KEY`;
  }
  const signature = Buffer.from(cp.signature, "base64");
  if (signature.length !== 64 || signature.toString("base64") !== cp.signature)
    return "the checkpoint's signature is not a base64 Ed25519 signature";
  return verifyEd25519(publicKey, checkpointMessage(cp), signature)
    ? null
    : `the checkpoint's signature does not verify with key ${cp.kid}`;
}

/** Runs `work` holding DATA_DIR/audit-head.json.lock; null when another process holds it. */
async function withLock<T>(anchor: AuditAnchor, work: () => Promise<T>): Promise<T | null> {
  const lockPath = `${anchor.file}.lock`;
  await mkdir(dirname(anchor.file), { recursive: true });
  let handle;
  for (let attempt = 0; attempt < 2 && !handle; attempt++) {
    try {
      handle = await open(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => STALE_LOCK_MS,
      );
      if (since < STALE_LOCK_MS) return null;
      await unlink(lockPath).catch(() => {});
    }
  }
  if (!handle) return null;
  try {
    return await work();
  } finally {
    await handle.close();
    await unlink(lockPath).catch(() => {});
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

export type CheckpointOutcome =
  | { written: true; checkpoint: AuditCheckpoint }
  | {
      written: false;
      reason: "empty" | "not-ahead" | "busy" | "no-signing-key" | "chain-broken" | "bad-checkpoint";
      detail?: string;
      /** where the chain broke, for "chain-broken" */
      brokenAt?: number;
      break?: ChainBreak | "truncated" | "rewritten";
    };

/** Metrics and tests listen here: every checkpoint this process writes. */
export const auditCheckpointObservers = new Set<(checkpoint: AuditCheckpoint) => void>();

/**
 * Moves the checkpoint to the chain's current head. Only forward: the head must be past the
 * checkpoint, and the records from the checkpoint to the head must verify (the checkpoint's
 * record still there with its hash, each later one linked and keyed); a chain broken since the
 * last checkpoint is logged as an error and the checkpoint stays where it was. `force` (restore,
 * re-anchoring by the operator) writes the head whatever the file held.
 */
export async function checkpointAuditHead(
  deps: CheckpointDeps,
  anchor: AuditAnchor,
  options: { force?: boolean; batchSize?: number } = {},
): Promise<CheckpointOutcome> {
  const outcome = await withLock(anchor, async (): Promise<CheckpointOutcome> => {
    const head = await deps.db.auditEvent.findFirst({
      orderBy: { seq: "desc" },
      select: { seq: true, hash: true, hashVersion: true },
    });
    if (!head) return { written: false, reason: "empty" };
    if (!options.force) {
      const current = await readCheckpoint(anchor);
      if (current.state === "invalid")
        return { written: false, reason: "bad-checkpoint", detail: current.error };
      if (current.state === "present") {
        const cp = current.checkpoint;
        if (head.seq < cp.seq)
          return { written: false, reason: "chain-broken", brokenAt: head.seq + 1, break: "truncated" };
        if (head.seq === cp.seq)
          return head.hash === cp.hash
            ? { written: false, reason: "not-ahead" }
            : { written: false, reason: "chain-broken", brokenAt: cp.seq, break: "rewritten" };
        const signatureError = await checkpointSignatureError(deps.db, deps.encryptionKey, cp);
        if (signatureError) return { written: false, reason: "bad-checkpoint", detail: signatureError };
        const anchored = await deps.db.auditEvent.findUnique({
          where: { seq: cp.seq },
          select: { hash: true, hashVersion: true },
        });
        if (!anchored) return { written: false, reason: "chain-broken", brokenAt: cp.seq, break: "gap" };
        if (anchored.hash !== cp.hash)
          return { written: false, reason: "chain-broken", brokenAt: cp.seq, break: "rewritten" };
        const walk = await walkAuditChain(
          deps.db,
          auditChainKey(deps.encryptionKey),
          { seq: cp.seq + 1, prevHash: cp.hash, keyedBefore: anchored.hashVersion !== 1 },
          options.batchSize ?? 1000,
        );
        if (!walk.ok)
          return { written: false, reason: "chain-broken", brokenAt: walk.brokenAt, break: walk.reason };
        // the walk read on to whatever the head is now: anchor exactly what it verified
        head.seq = walk.lastSeq;
        head.hash = walk.lastHash;
      }
    }
    let signer;
    try {
      signer = await loadActiveSigner(deps.db, deps.encryptionKey);
    } catch (error) {
      return { written: false, reason: "no-signing-key", detail: (error as Error).message };
    }
    const fields = {
      seq: head.seq,
      hash: head.hash,
      at: (deps.now?.() ?? new Date()).toISOString(),
      kid: signer.kid,
    };
    const checkpoint: AuditCheckpoint = {
      format: FORMAT,
      ...fields,
      signature: signEd25519(signer.privateKey, checkpointMessage(fields)).toString("base64"),
    };
    await writeAtomically(anchor.file, JSON.stringify(checkpoint, null, 2) + "\n");
    return { written: true, checkpoint };
  });
  const result = outcome ?? { written: false, reason: "busy" };
  if (result.written) {
    const { seq, hash, kid, at } = result.checkpoint;
    deps.logger.info(
      { seq, hash, kid, at, file: anchor.file, ...(options.force ? { forced: true } : {}) },
      "audit chain checkpoint",
    );
    for (const observer of auditCheckpointObservers) observer(result.checkpoint);
  } else if (result.reason === "chain-broken" || result.reason === "bad-checkpoint") {
    deps.logger.error(
      {
        file: anchor.file,
        reason: result.break ?? result.reason,
        brokenAt: result.brokenAt,
        detail: result.detail,
      },
      "audit chain does not extend its checkpoint; the checkpoint stays (run `npm run admin -- verify-audit`)",
    );
  }
  return result;
}
