// How the client reaches the server: gRPC (nice-grpc) or the REST twin, the same messages either
// way. A call either answers (a status, valid or not), fails because the server could not be
// reached (TransportUnavailableError: the offline tiers take over), or is refused as a bad request
// (RequestRejectedError: a bug or a misconfiguration, never hidden by the offline tiers).
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
  ValidateRequest,
  ValidateResponse,
  type LicenseServiceClient,
  type MessageFns,
} from "../generated/proto/license/v1/license.ts";
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

export interface LicenseTransport {
  readonly kind: "grpc" | "rest";
  validate(request: ValidateRequest): Promise<ValidateResponse>;
  activate(request: ActivateRequest): Promise<ActivateResponse>;
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse>;
  deactivate(request: DeactivateRequest): Promise<DeactivateResponse>;
  getEntitlements(request: GetEntitlementsRequest): Promise<GetEntitlementsResponse>;
  recordUsage(request: RecordUsageRequest): Promise<RecordUsageResponse>;
  getPublicKeys(request: GetPublicKeysRequest): Promise<GetPublicKeysResponse>;
  close(): void;
}

type Method = Exclude<keyof LicenseTransport, "kind" | "close">;

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
  const call =
    <Req, Res>(method: (request: Req, options: { signal: AbortSignal }) => Promise<Res>) =>
    async (request: Req): Promise<Res> => {
      try {
        return await method(request, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (error instanceof ClientError && !UNAVAILABLE.has(error.code)) {
          throw new RequestRejectedError(error.details, Status[error.code]);
        }
        throw new TransportUnavailableError(`gRPC ${address}: ${(error as Error).message}`);
      }
    };
  return {
    kind: "grpc",
    validate: call((r, o) => client.validate(r, o)),
    activate: call((r, o) => client.activate(r, o)),
    heartbeat: call((r, o) => client.heartbeat(r, o)),
    deactivate: call((r, o) => client.deactivate(r, o)),
    getEntitlements: call((r, o) => client.getEntitlements(r, o)),
    recordUsage: call((r, o) => client.recordUsage(r, o)),
    getPublicKeys: call((r, o) => client.getPublicKeys(r, o)),
    close: () => {
      channel.close();
    },
  };
}

const REST_ROUTES: Record<Method, string> = {
  validate: "validate",
  activate: "activate",
  heartbeat: "heartbeat",
  deactivate: "deactivate",
  getEntitlements: "get-entitlements",
  recordUsage: "record-usage",
  getPublicKeys: "get-public-keys",
};

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
  const call =
    <Req, Res>(method: Method, requestType: MessageFns<Req>, responseType: MessageFns<Res>) =>
    async (request: Req): Promise<Res> => {
      const url = new URL(`/api/v1/client/${REST_ROUTES[method]}`, baseUrl);
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(requestType.toJSON(request)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new TransportUnavailableError(`REST ${url.origin}: ${(error as Error).message}`);
      }
      const body: unknown = await response.json().catch(() => null);
      if (response.ok) return responseType.fromJSON(body);
      const detail = body as { code?: string; message?: string } | null;
      if (response.status >= 500 || response.status === 429 || response.status === 404 || !detail?.code) {
        throw new TransportUnavailableError(`REST ${url.origin}: HTTP ${response.status}`);
      }
      throw new RequestRejectedError(detail.message ?? `HTTP ${response.status}`, detail.code);
    };
  return {
    kind: "rest",
    validate: call("validate", ValidateRequest, ValidateResponse),
    activate: call("activate", ActivateRequest, ActivateResponse),
    heartbeat: call("heartbeat", HeartbeatRequest, HeartbeatResponse),
    deactivate: call("deactivate", DeactivateRequest, DeactivateResponse),
    getEntitlements: call("getEntitlements", GetEntitlementsRequest, GetEntitlementsResponse),
    recordUsage: call("recordUsage", RecordUsageRequest, RecordUsageResponse),
    getPublicKeys: call("getPublicKeys", GetPublicKeysRequest, GetPublicKeysResponse),
    close: () => undefined,
  };
}

/**
 * Tries each transport in order (gRPC first, then REST) and sticks to the one that last worked.
 * Only an unreachable server moves on to the next; answers and rejections are final.
 */
export function fallbackTransport(transports: LicenseTransport[]): LicenseTransport {
  let preferred = 0;
  const call =
    (method: Method) =>
    async (request: never): Promise<never> => {
      let last: unknown;
      for (let i = 0; i < transports.length; i++) {
        const index = (preferred + i) % transports.length;
        const transport = transports[index];
        if (!transport) continue;
        try {
          const answer = await (transport[method] as (r: never) => Promise<never>)(request);
          preferred = index;
          return answer;
        } catch (error) {
          if (!(error instanceof TransportUnavailableError)) throw error;
          last = error;
        }
      }
      throw last instanceof Error ? last : new TransportUnavailableError("no server configured");
    };
  return {
    kind: transports[0]?.kind ?? "grpc",
    validate: call("validate"),
    activate: call("activate"),
    heartbeat: call("heartbeat"),
    deactivate: call("deactivate"),
    getEntitlements: call("getEntitlements"),
    recordUsage: call("recordUsage"),
    getPublicKeys: call("getPublicKeys"),
    close: () => {
      for (const t of transports) t.close();
    },
  };
}
