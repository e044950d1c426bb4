// How the client reaches the server: gRPC (nice-grpc) or the REST twin, the same messages either
// way. A call either brings back a signed answer (still to be verified: ./verified-server.ts),
// fails because the server could not be reached (TransportUnavailableError: the offline tiers take
// over), or is refused as a bad request (RequestRejectedError: unsigned, so it decides nothing on
// its own; the client reports it and lets the offline tiers decide).
import { ClientError, createChannel, createClient, Status, type Channel } from "nice-grpc";
import {
  ActivateRequest,
  ActivateResponse,
  DeactivateRequest,
  DeactivateResponse,
  GetEntitlementsRequest,
  GetEntitlementsResponse,
  GetPublicKeysRequest,
  GetPublicKeysResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LicenseServiceDefinition,
  RecordUsageRequest,
  RecordUsageResponse,
  StartTrialRequest,
  StartTrialResponse,
  ValidateRequest,
  ValidateResponse,
  type LicenseServiceClient,
  type SignedAnswer,
  type MessageFns,
} from "../generated/proto/license/v1/license.ts";
import {
  ANSWER_SIGNATURE_HEADER,
  parseAnswerSignatureHeader,
  type RawSignedAnswer,
} from "../signed-answer.ts";
import { grpcChannelSetup, tlsFetch, type LicenseTlsOptions } from "./tls.ts";

export class TransportUnavailableError extends Error {
  override name = "TransportUnavailableError";
}

export class RequestRejectedError extends Error {
  override name = "RequestRejectedError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The licensing RPCs, by their client method names. */
export interface LicenseRequests {
  validate: ValidateRequest;
  activate: ActivateRequest;
  heartbeat: HeartbeatRequest;
  deactivate: DeactivateRequest;
  getEntitlements: GetEntitlementsRequest;
  recordUsage: RecordUsageRequest;
  getPublicKeys: GetPublicKeysRequest;
  startTrial: StartTrialRequest;
}

/** What each RPC's signed answer decodes to. */
export interface LicenseResponses {
  validate: ValidateResponse;
  activate: ActivateResponse;
  heartbeat: HeartbeatResponse;
  deactivate: DeactivateResponse;
  getEntitlements: GetEntitlementsResponse;
  recordUsage: RecordUsageResponse;
  getPublicKeys: GetPublicKeysResponse;
  startTrial: StartTrialResponse;
}

export type LicenseRpc = keyof LicenseRequests;

/** Each RPC's messages and its name in the contract (the answer binding's `rpc`). */
export const LICENSE_RPCS: {
  [M in LicenseRpc]: {
    name: string;
    request: MessageFns<LicenseRequests[M]>;
    response: MessageFns<LicenseResponses[M]>;
    route: string;
  };
} = {
  validate: { name: "Validate", request: ValidateRequest, response: ValidateResponse, route: "validate" },
  activate: { name: "Activate", request: ActivateRequest, response: ActivateResponse, route: "activate" },
  heartbeat: {
    name: "Heartbeat",
    request: HeartbeatRequest,
    response: HeartbeatResponse,
    route: "heartbeat",
  },
  deactivate: {
    name: "Deactivate",
    request: DeactivateRequest,
    response: DeactivateResponse,
    route: "deactivate",
  },
  getEntitlements: {
    name: "GetEntitlements",
    request: GetEntitlementsRequest,
    response: GetEntitlementsResponse,
    route: "get-entitlements",
  },
  recordUsage: {
    name: "RecordUsage",
    request: RecordUsageRequest,
    response: RecordUsageResponse,
    route: "record-usage",
  },
  getPublicKeys: {
    name: "GetPublicKeys",
    request: GetPublicKeysRequest,
    response: GetPublicKeysResponse,
    route: "get-public-keys",
  },
  startTrial: {
    name: "StartTrial",
    request: StartTrialRequest,
    response: StartTrialResponse,
    route: "start-trial",
  },
};

/**
 * Carries a request to the server and brings its answer back as received, signature and all:
 * transports never decide whether an answer is true (the client verifies every answer itself,
 * whatever transport brought it).
 */
export interface LicenseTransport {
  readonly kind: "grpc" | "rest";
  call<M extends LicenseRpc>(method: M, request: LicenseRequests[M]): Promise<RawSignedAnswer>;
  close(): void;
}

/** gRPC statuses that mean "try again later / offline" rather than "your request is wrong". */
const UNAVAILABLE = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.CANCELLED,
  Status.RESOURCE_EXHAUSTED,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.ABORTED,
]);

/** `tls` (or a grpcs:// / https:// address) turns TLS on; see ./tls.ts for what it checks. */
export function grpcTransport(address: string, timeoutMs: number, tls?: LicenseTlsOptions): LicenseTransport {
  const setup = grpcChannelSetup(address, tls);
  const channel: Channel = createChannel(setup.target, setup.credentials);
  const client: LicenseServiceClient = createClient(LicenseServiceDefinition, channel);
  return {
    kind: "grpc",
    call: async (method, request) => {
      let answer: SignedAnswer;
      try {
        const rpc = client[method] as (
          r: typeof request,
          o: { signal: AbortSignal },
        ) => Promise<SignedAnswer>;
        answer = await rpc.call(client, request, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (error instanceof ClientError && !UNAVAILABLE.has(error.code)) {
          throw new RequestRejectedError(error.details, Status[error.code]);
        }
        throw new TransportUnavailableError(`gRPC ${address}: ${(error as Error).message}`);
      }
      return { format: "protobuf", bytes: answer.answer, kid: answer.kid, signature: answer.signature };
    },
    close: () => {
      channel.close();
    },
  };
}

/** Answers larger than this are not read (a hostile server must not exhaust the client's memory). */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The REST twin at `<baseUrl>/api/v1/client/<operation>`, proto3 JSON both ways. With `tls` the
 * calls go through node:https with its CA and pins (baseUrl must be https://), not through fetch.
 */
export function restTransport(
  baseUrl: string,
  timeoutMs: number,
  customFetch?: typeof fetch,
  tls?: LicenseTlsOptions,
): LicenseTransport {
  if (tls && customFetch) throw new TypeError("restTransport: give tls or a fetch implementation, not both");
  const fetchImpl = tls ? tlsFetch(baseUrl, tls) : (customFetch ?? globalThis.fetch);
  return {
    kind: "rest",
    call: async (method, request) => {
      const rpc = LICENSE_RPCS[method];
      const url = new URL(`/api/v1/client/${rpc.route}`, baseUrl);
      let response: Response;
      let bytes: Uint8Array;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(rpc.request.toJSON(request)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const length = Number(response.headers.get("content-length") ?? 0);
        if (length > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
        bytes = new Uint8Array(await response.arrayBuffer());
        if (bytes.length > MAX_ANSWER_BYTES)
          throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
      } catch (error) {
        throw new TransportUnavailableError(`REST ${url.origin}: ${(error as Error).message}`);
      }
      if (response.ok) {
        const signed = parseAnswerSignatureHeader(response.headers.get(ANSWER_SIGNATURE_HEADER));
        return {
          format: "json",
          bytes,
          kid: signed?.kid ?? "",
          signature: signed?.signature ?? new Uint8Array(),
        };
      }
      let detail: { code?: unknown; message?: unknown } | null;
      try {
        detail = JSON.parse(new TextDecoder().decode(bytes)) as { code?: unknown; message?: unknown } | null;
      } catch {
        detail = null;
      }
      const code = typeof detail?.code === "string" ? detail.code : undefined;
      if (response.status >= 500 || response.status === 429 || response.status === 404 || !code) {
        throw new TransportUnavailableError(`REST ${url.origin}: HTTP ${response.status}`);
      }
      const message = typeof detail?.message === "string" ? detail.message : `HTTP ${response.status}`;
      throw new RequestRejectedError(message, code);
    },
    close: () => undefined,
  };
}
