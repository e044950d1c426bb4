// The backup file: a plain JSON header line, then the gzipped NDJSON body sealed in AES-256-GCM
// chunks. Chunking lets a 100k-license backup stream through memory; each chunk has its own tag,
// the last one is flagged (so a truncated file fails) and every chunk's associated data holds the
// header's hash (so the header cannot be edited either).
//
//   header  := JSON (ZBackupHeader) "\n"
//   chunk   := uint32be(length of sealed) sealed          sealed = AES-256-GCM(ciphertext ‖ tag)
//   nonce   := noncePrefix (8 bytes, random per file) ‖ uint32be(chunk index)
//   aad     := SHA-256(header line) ‖ (0x01 on the last chunk, else 0x00)
//   key     := HKDF-SHA-256(backup key, salt = header.salt, info = "license-server/backup/v1")
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { z } from "zod";

export const BACKUP_FORMAT = "license-server-backup";
export const BACKUP_FORMAT_VERSION = 1;
/** What scheduled backups and `admin backup` name their files with. */
export const BACKUP_EXTENSION = ".lsbackup";

const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const NONCE_PREFIX_BYTES = 8;
const MAX_HEADER_BYTES = 1024 * 1024;
const HKDF_INFO = "license-server/backup/v1";
const KEY_ID_INFO = "license-server/backup/key-id";

export const ZBackupColumn = z.object({
  name: z.string(),
  /** the Prisma scalar type: String, Int, BigInt, Boolean, DateTime, Float */
  type: z.string(),
});

export const ZBackupTableInfo = z.object({
  name: z.string(),
  columns: z.array(ZBackupColumn),
  rows: z.number().int().min(0),
});
export type BackupTableInfo = z.infer<typeof ZBackupTableInfo>;

export const ZBackupHeader = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_FORMAT_VERSION),
  createdAt: z.iso.datetime(),
  appVersion: z.string(),
  /** the database the backup was taken from (restores go to either) */
  sourceProvider: z.enum(["sqlite", "postgresql"]),
  /** migrations applied to the source, oldest first */
  migrations: z.array(z.string()),
  tables: z.array(ZBackupTableInfo),
  /** identifies the backup key without revealing it: a wrong key is told apart from damage */
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  /** identifies the source server's ENCRYPTION_KEY (signing keys and TOTP secrets are sealed with it) */
  encryptionKeyId: z.string().regex(/^[0-9a-f]{16}$/),
  cipher: z.literal("aes-256-gcm"),
  compression: z.literal("gzip"),
  chunkBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024),
  salt: z.string(),
  noncePrefix: z.string(),
});
export type BackupHeader = z.infer<typeof ZBackupHeader>;

/** The file cannot be read as a backup: damaged, changed, truncated or not a backup at all. */
export class BackupFormatError extends Error {
  override name = "BackupFormatError";
}
/** The file is a backup, but sealed with another key. */
export class BackupKeyError extends Error {
  override name = "BackupKeyError";
}

/** A short public id of a 32-byte key (the first 8 bytes of an HKDF output, in hex). */
export function keyId(key: Buffer, info = KEY_ID_INFO): string {
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), info, 8)).toString("hex");
}

/** The id the header records for the server's ENCRYPTION_KEY. */
export const encryptionKeyId = (key: Buffer) => keyId(key, "license-server/encryption-key-id");

function fileKey(key: Buffer, salt: Buffer): Buffer {
  if (key.length !== 32) throw new Error("the backup key must be 32 bytes");
  return Buffer.from(hkdfSync("sha256", key, salt, HKDF_INFO, 32));
}

/** A header's cryptographic members, fresh for a new file. */
export function newSealingParameters(key: Buffer) {
  return {
    keyId: keyId(key),
    cipher: "aes-256-gcm" as const,
    compression: "gzip" as const,
    chunkBytes: CHUNK_BYTES,
    salt: randomBytes(16).toString("base64"),
    noncePrefix: randomBytes(NONCE_PREFIX_BYTES).toString("base64"),
  };
}

export function headerLine(header: BackupHeader): Buffer {
  return Buffer.from(JSON.stringify(header) + "\n", "utf8");
}

function nonce(prefix: Buffer, index: number): Buffer {
  const out = Buffer.alloc(12);
  prefix.copy(out, 0);
  out.writeUInt32BE(index, 8);
  return out;
}

function chunkAad(headerHash: Buffer, last: boolean): Buffer {
  return Buffer.concat([headerHash, Buffer.from([last ? 1 : 0])]);
}

interface SealingState {
  key: Buffer;
  prefix: Buffer;
  headerHash: Buffer;
  chunkBytes: number;
}

function sealingState(key: Buffer, header: BackupHeader, line: Buffer): SealingState {
  const prefix = Buffer.from(header.noncePrefix, "base64");
  if (prefix.length !== NONCE_PREFIX_BYTES) throw new BackupFormatError("the backup header is damaged");
  return {
    key: fileKey(key, Buffer.from(header.salt, "base64")),
    prefix,
    headerHash: createHash("sha256").update(line).digest(),
    chunkBytes: header.chunkBytes,
  };
}

/** Writes the header line, then seals what passes through into chunks. */
export class BackupSealer extends Transform {
  private readonly state: SealingState;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(
    key: Buffer,
    private readonly header: BackupHeader,
  ) {
    super();
    const line = headerLine(header);
    this.state = sealingState(key, header, line);
    this.push(line);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes > this.state.chunkBytes) {
      const all = Buffer.concat(this.pending);
      this.pending = [all.subarray(this.state.chunkBytes)];
      this.pendingBytes = all.length - this.state.chunkBytes;
      this.seal(all.subarray(0, this.state.chunkBytes), false);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    // the last chunk (possibly empty) carries the end mark
    this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    done();
  }

  private seal(plain: Buffer, last: boolean): void {
    const { key, prefix, headerHash } = this.state;
    const cipher = createCipheriv("aes-256-gcm", key, nonce(prefix, this.index++));
    cipher.setAAD(chunkAad(headerHash, last));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(sealed.length);
    this.push(length);
    this.push(sealed);
  }

  get headerInfo(): BackupHeader {
    return this.header;
  }
}

/**
 * Opens the chunks that follow the header (the caller has read and checked the header). Throws
 * BackupFormatError on the first chunk that does not authenticate, and at the end when the last
 * chunk never came (truncation).
 */
export class BackupOpener extends Transform {
  private readonly state: SealingState;
  private buffered: Buffer = Buffer.alloc(0);
  private index = 0;
  private ended = false;

  constructor(key: Buffer, header: BackupHeader, line: Buffer) {
    super();
    this.state = sealingState(key, header, line);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    try {
      this.drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.buffered.length > 0 || !this.ended) {
      done(new BackupFormatError("the backup file is truncated"));
      return;
    }
    done();
  }

  private drain(): void {
    const max = this.state.chunkBytes + TAG_BYTES;
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length < TAG_BYTES || length > max || this.ended)
        throw new BackupFormatError("the backup file is damaged (bad chunk framing)");
      if (this.buffered.length < 4 + length) return;
      const sealed = this.buffered.subarray(4, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      this.push(this.open(sealed));
    }
  }

  private open(sealed: Buffer): Buffer {
    const { key, prefix, headerHash } = this.state;
    const body = sealed.subarray(0, sealed.length - TAG_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const index = this.index++;
    // a chunk is the last one if it authenticates as such; try the common case first
    for (const last of body.length === this.state.chunkBytes ? [false, true] : [true, false]) {
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, nonce(prefix, index));
        decipher.setAAD(chunkAad(headerHash, last));
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(body), decipher.final()]);
        if (last) this.ended = true;
        return plain;
      } catch {
        // try the other flag
      }
    }
    throw new BackupFormatError(`the backup file is damaged or was changed (chunk ${index} does not verify)`);
  }
}

/**
 * Splits a backup file's first bytes into the header and the rest. `head` must hold the whole
 * header line (it is at most 1 MiB).
 */
export function parseHeader(head: Buffer): { header: BackupHeader; line: Buffer } {
  const newline = head.indexOf(0x0a);
  if (newline < 0 || newline > MAX_HEADER_BYTES) throw new BackupFormatError("not a license server backup");
  const line = head.subarray(0, newline + 1);
  let value: unknown;
  try {
    value = JSON.parse(line.toString("utf8"));
  } catch {
    throw new BackupFormatError("not a license server backup");
  }
  if (typeof value !== "object" || value === null || (value as { format?: unknown }).format !== BACKUP_FORMAT)
    throw new BackupFormatError("not a license server backup");
  if ((value as { version?: unknown }).version !== BACKUP_FORMAT_VERSION)
    throw new BackupFormatError(
      `backup format version ${String((value as { version?: unknown }).version)} is not supported by this server`,
    );
  const parsed = ZBackupHeader.safeParse(value);
  if (!parsed.success) throw new BackupFormatError("the backup header is damaged");
  return { header: parsed.data, line };
}

export const HEADER_READ_LIMIT = MAX_HEADER_BYTES + 1;

/** Refuses a key that did not make this backup, before anything is decrypted or written. */
export function checkBackupKey(header: BackupHeader, key: Buffer): void {
  if (key.length !== 32) throw new BackupKeyError("the backup key must be 32 bytes");
  const given = keyId(key);
  if (given !== header.keyId)
    throw new BackupKeyError(
      `this backup was encrypted with another key (key id ${header.keyId}; the configured key is ${given})`,
    );
}
