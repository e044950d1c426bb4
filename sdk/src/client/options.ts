// What a LicenseClient is made with (LicenseClientOptions, documented in sdk/README.md "Options"),
// and what follows from it alone: the transports to the server and how requests describe this
// machine.
import { hostname as osHostname } from "node:os";
import type { ClientInfo } from "../generated/proto/license/v1/license.ts";
import type { PublicKeyEntry } from "../grace-token.ts";
import { machineComponents, type MachineComponent } from "./components.ts";
import type { LicenseTlsOptions } from "./tls.ts";
import { grpcTransport, restTransport, type LicenseTransport } from "./transport.ts";

export interface LicenseClientOptions {
  /**
   * The license server: a gRPC address ("licenses.example.com:50051"), a REST base URL
   * ("https://licenses.example.com"), or both (`{ grpc, rest }`: gRPC first, REST when gRPC fails).
   * None: air-gapped, the offline tiers alone decide.
   */
  server?: string | { grpc?: string; rest?: string };
  licenseKey: string;
  /**
   * TLS on both transports: the CA certificate(s) to trust (PEM; instead of the system roots) and/or
   * pinned SHA-256 hashes (base64) of the server key's SubjectPublicKeyInfo. A failed check is an
   * outage (the offline tiers decide), never a fallback to plaintext. See sdk/README.md "TLS".
   */
  tls?: LicenseTlsOptions;
  /** the product code this software is */
  product: string;
  /**
   * the vendor's public keys, embedded at build time (the server's GetPublicKeys /
   * /api/signing-key): they verify every online answer, grace token and .lic file
   */
  publicKeys: readonly PublicKeyEntry[];
  /** this machine's id; default: a hash of the OS machine id and the product (see defaultFingerprint) */
  fingerprint?: string;
  /**
   * Hashed machine components sent with every request, so that a license matching machines by
   * components (any / most / all) recognises this machine when its fingerprint changes (see
   * sdk/docs/machine-components.md). "auto" (default): collected from this machine (read once per
   * process, each value hashed with the product code: no raw serial leaves the machine); false:
   * none; a list: these (hash your own values with hashComponent).
   */
  components?: "auto" | false | readonly MachineComponent[];
  /** where the encrypted state (last result, grace token, queued usage) is kept; none: in memory only */
  cacheDir?: string;
  /** an offline license file's text (.lic), the tier after online */
  licenseFile?: string;
  clientVersion?: string;
  hostname?: string;
  /** the clock (tests, or a trusted time source) */
  now?: () => Date;
  /** per call; default 5000 ms */
  requestTimeoutMs?: number;
  /** how far the clock may go back before CLOCK_TAMPERED; default 10 minutes */
  clockToleranceMs?: number;
  /** "grace-expiring" fires when less than this is left; default the smaller of 12 h and a quarter of the grace */
  graceWarningMs?: number;
  /** heartbeats come after 90–100 % of the server's interval with the default 0.1 */
  heartbeatJitter?: number;
  /** reconnect backoff: doubling from initialDelayMs to maxDelayMs, with jitter */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * replaces the transports made from `server` (tests, custom networking); their answers are
   * verified like any other
   */
  transport?: LicenseTransport | readonly LicenseTransport[];
}

/** The transports, in the order they are tried: the given ones, else gRPC then REST from `server`. */
export function transportsFor(options: LicenseClientOptions): LicenseTransport[] {
  const timeout = options.requestTimeoutMs ?? 5000;
  const transports: LicenseTransport[] = [];
  if (options.transport) {
    const given = options.transport;
    transports.push(...(isTransportList(given) ? given : [given]));
  } else {
    const server = typeof options.server === "string" ? classify(options.server) : (options.server ?? {});
    if (server.grpc) transports.push(grpcTransport(server.grpc, timeout, options.tls));
    if (server.rest) transports.push(restTransport(server.rest, timeout, undefined, options.tls));
  }
  return transports;
}

/** This machine, as every request describes it. */
export function clientInfo(options: LicenseClientOptions, fingerprint: string): ClientInfo {
  return {
    productCode: options.product,
    fingerprint,
    clientVersion: options.clientVersion ?? "",
    hostname: options.hostname ?? osHostname(),
    components: componentsFor(options),
  };
}

/** The components every request carries (the `components` option). */
export function componentsFor(
  options: Pick<LicenseClientOptions, "components" | "product">,
): MachineComponent[] {
  const given = options.components ?? "auto";
  if (given === false) return [];
  if (given === "auto") return machineComponents(options.product);
  return given.map((c) => ({ kind: c.kind, hash: c.hash }));
}

function isTransportList(
  value: LicenseTransport | readonly LicenseTransport[],
): value is readonly LicenseTransport[] {
  return Array.isArray(value);
}

function classify(server: string): { grpc?: string; rest?: string } {
  return /^https?:\/\//i.test(server) ? { rest: server } : { grpc: server };
}
