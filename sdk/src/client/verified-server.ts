// The server as the client may believe it: every call carries a fresh nonce, and an answer counts
// only when its signature verifies with an embedded key and its binding names this very request
// (RPC, nonce, license key hash, machine, product; StartTrial names no key, GetPublicKeys neither
// key nor machine). Anything else is untrusted: it decides nothing
// and the call fails as if the server were unreachable, so the offline tiers decide. Transports
// are tried in order (gRPC, then REST); the one that last answered is tried first.
import { createHash, randomBytes } from "node:crypto";
import type { AnswerBinding } from "../generated/proto/license/v1/license.ts";
import type { AnswerKeyring } from "../signed-answer.ts";
import { NONCE_MIN_BYTES, type AnswerSignatureCheck, type RawSignedAnswer } from "../signed-answer.ts";
import {
  LICENSE_RPCS,
  TransportUnavailableError,
  type LicenseRequests,
  type LicenseResponses,
  type LicenseRpc,
  type LicenseTransport,
} from "./transport.ts";

export type UntrustedReason =
  | Exclude<AnswerSignatureCheck, "VALID">
  | "MALFORMED"
  | "WRONG_RPC"
  | "NONCE_MISMATCH"
  | "LICENSE_MISMATCH"
  | "FINGERPRINT_MISMATCH"
  | "PRODUCT_MISMATCH";

/** An answer that did not verify: treated as no answer at all. */
export class UntrustedAnswerError extends TransportUnavailableError {
  override name = "UntrustedAnswerError";
  constructor(
    readonly reason: UntrustedReason,
    readonly transport: LicenseTransport["kind"],
  ) {
    super(`untrusted answer over ${transport}: ${reason}`);
  }
}

/** Who is asking, as the answers must name it. */
export interface CallerIdentity {
  /** the license key in its canonical form (as sent); "" before a trial gave one */
  licenseKey: string;
  fingerprint: string;
  productCode: string;
}

type Unsigned<M extends LicenseRpc> = Omit<LicenseRequests[M], "nonce">;

export interface VerifiedAnswer<M extends LicenseRpc> {
  answer: LicenseResponses[M];
  /** the server's signed time */
  serverTime: Date;
}

export class VerifiedServer {
  private preferred = 0;
  private licenseKeyHash: string;

  constructor(
    private readonly transports: readonly LicenseTransport[],
    private readonly keyring: AnswerKeyring,
    private readonly identity: CallerIdentity,
    private readonly onUntrusted: (error: UntrustedAnswerError) => void,
  ) {
    this.licenseKeyHash = createHash("sha256").update(identity.licenseKey).digest("hex");
  }

  /** From now on the client asks with this key (a trial's, after StartTrial): answers must name it. */
  useLicenseKey(licenseKey: string): void {
    this.licenseKeyHash = createHash("sha256").update(licenseKey).digest("hex");
  }

  get configured(): boolean {
    return this.transports.length > 0;
  }

  async call<M extends LicenseRpc>(method: M, request: Unsigned<M>): Promise<VerifiedAnswer<M>> {
    let last: Error = new TransportUnavailableError("no server configured");
    for (let i = 0; i < this.transports.length; i++) {
      const index = (this.preferred + i) % this.transports.length;
      const transport = this.transports[index];
      if (!transport) continue;
      // a fresh nonce per attempt: an answer meant for another attempt does not fit this one
      const nonce = randomBytes(NONCE_MIN_BYTES);
      const sent = { ...request, nonce } as unknown as LicenseRequests[M];
      let raw: RawSignedAnswer;
      try {
        raw = await transport.call(method, sent);
      } catch (error) {
        if (!(error instanceof TransportUnavailableError)) throw error;
        last = error;
        continue;
      }
      const verified = this.verify(method, raw, nonce, transport.kind);
      if (verified instanceof UntrustedAnswerError) {
        this.onUntrusted(verified);
        last = verified;
        continue;
      }
      this.preferred = index;
      return verified;
    }
    throw last;
  }

  close(): void {
    for (const transport of this.transports) transport.close();
  }

  private verify<M extends LicenseRpc>(
    method: M,
    raw: RawSignedAnswer,
    nonce: Uint8Array,
    kind: LicenseTransport["kind"],
  ): VerifiedAnswer<M> | UntrustedAnswerError {
    const untrusted = (reason: UntrustedReason) => new UntrustedAnswerError(reason, kind);
    const signature = this.keyring.check(raw);
    if (signature !== "VALID") return untrusted(signature);
    const rpc = LICENSE_RPCS[method];
    let answer: LicenseResponses[M];
    try {
      answer =
        raw.format === "protobuf"
          ? rpc.response.decode(raw.bytes)
          : rpc.response.fromJSON(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw.bytes)));
    } catch {
      return untrusted("MALFORMED");
    }
    const { binding, serverTime } = answer as { binding?: AnswerBinding; serverTime?: Date };
    if (!binding || !(serverTime instanceof Date) || Number.isNaN(serverTime.getTime())) {
      return untrusted("MALFORMED");
    }
    if (binding.rpc !== rpc.name) return untrusted("WRONG_RPC");
    if (!Buffer.from(binding.nonce).equals(nonce)) return untrusted("NONCE_MISMATCH");
    // GetPublicKeys names neither key nor machine; StartTrial names the machine and no key
    const licensed = method !== "getPublicKeys" && method !== "startTrial";
    const machine = method !== "getPublicKeys";
    if (binding.licenseKeyHash !== (licensed ? this.licenseKeyHash : ""))
      return untrusted("LICENSE_MISMATCH");
    if (binding.fingerprint !== (machine ? this.identity.fingerprint : "")) {
      return untrusted("FINGERPRINT_MISMATCH");
    }
    if (binding.productCode !== (machine ? this.identity.productCode : ""))
      return untrusted("PRODUCT_MISMATCH");
    return { answer, serverTime };
  }
}
