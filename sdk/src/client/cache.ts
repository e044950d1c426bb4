// The client's encrypted state file: the last good online result, the grace token, the clock's
// high-water mark, the session and usage waiting to be sent. AES-256-GCM with a key derived
// (HKDF-SHA-256) from the license key and the machine fingerprint; a file that does not decrypt
// or parse is ignored (and replaced), never trusted.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MAGIC = Buffer.from("LSC1");
const INFO = Buffer.from("license-server sdk cache v1");

export interface PendingUsage {
  featureCode: string;
  amount: number;
  idempotencyKey: string;
  sessionId: string;
  queuedAt: number;
}

export interface CachedResult {
  status: string;
  message: string;
  license: unknown;
  entitlements: unknown;
  checkedAt: number;
  /** the last online answer's check-in deadline (ms since the epoch); absent: none required */
  nextCheckInAt?: number;
}

export interface CacheState {
  /** the latest time seen (server time online, local time otherwise), ms since the epoch */
  highWaterMs: number;
  lastOnline?: CachedResult;
  graceToken?: string;
  sessionId?: string;
  pendingUsage: PendingUsage[];
  /** the key StartTrial gave this machine (a client made without a key uses it from then on) */
  trialLicenseKey?: string;
}

export const emptyState = (): CacheState => ({ highWaterMs: 0, pendingUsage: [] });

export class StateCache {
  readonly path: string;
  private readonly key: Buffer;

  constructor(dir: string, licenseKey: string, productCode: string, fingerprint: string) {
    const name = createHash("sha256").update(`${productCode}\0${licenseKey}`).digest("hex").slice(0, 24);
    this.path = join(dir, `license-${name}.cache`);
    const salt = createHash("sha256").update(`${productCode}\0${fingerprint}`).digest();
    this.key = Buffer.from(hkdfSync("sha256", Buffer.from(`${licenseKey}\0${fingerprint}`), salt, INFO, 32));
    mkdirSync(dir, { recursive: true });
  }

  /** The stored state, or null when there is none or it cannot be trusted (`corrupt`). */
  load(): { state: CacheState | null; corrupt: boolean } {
    let data: Buffer;
    try {
      data = readFileSync(this.path);
    } catch {
      return { state: null, corrupt: false };
    }
    try {
      if (!data.subarray(0, 4).equals(MAGIC)) throw new Error("not a cache file");
      const iv = data.subarray(4, 16);
      const tag = data.subarray(16, 32);
      const decipher = createDecipheriv("aes-256-gcm", this.key, iv);
      decipher.setAAD(MAGIC);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(32)), decipher.final()]);
      const state = JSON.parse(plain.toString("utf8")) as CacheState;
      if (typeof state.highWaterMs !== "number" || !Array.isArray(state.pendingUsage))
        throw new Error("bad shape");
      return { state, corrupt: false };
    } catch {
      return { state: null, corrupt: true };
    }
  }

  save(state: CacheState): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(MAGIC);
    const body = Buffer.concat([cipher.update(JSON.stringify(state), "utf8"), cipher.final()]);
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
