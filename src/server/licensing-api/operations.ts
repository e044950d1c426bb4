// The licensing API's operations in the contract's terms (license.v1 messages), over the domain.
// The gRPC sidecar and the REST twin both call these, so both answer the same way.
import type { LicenseStatusCode } from "@license-server/sdk/offline";
import {
  ActivateRequest,
  ActivateResponse,
  DeactivateRequest,
  DeactivateResponse,
  Entitlement,
  ExpiryStrategy,
  FeatureKind,
  GetEntitlementsRequest,
  GetEntitlementsResponse,
  GetPublicKeysRequest,
  GetPublicKeysResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LicenseInfo,
  LicenseType,
  MachineMatching,
  QuotaPeriod,
  RecordUsageRequest,
  RecordUsageResponse,
  Standing as ProtoStanding,
  StartTrialRequest,
  StartTrialResponse,
  StatusCode,
  ValidateRequest,
  ValidateResponse,
  type ClientInfo,
  type MessageFns,
} from "../../generated/proto/license/v1/license.ts";
import type { LicensingContext } from "../core/validation/licensing-context.ts";
import type {
  EntitlementView,
  GraceGrant,
  LicenseView,
  Standing,
} from "../core/validation/client-license.ts";
import { getEntitlements } from "../core/validation/get-entitlements.ts";
import { validateLicense } from "../core/validation/validate-license.ts";
import { activateSession } from "../core/sessions/activate-session.ts";
import { deactivateSession } from "../core/sessions/deactivate-session.ts";
import { heartbeatSession } from "../core/sessions/heartbeat-session.ts";
import { publicKeyring } from "../core/signing-keys/public-keyring.ts";
import { recordUsage } from "../core/usage/record-usage.ts";
import { startTrial } from "../core/trials/start-trial.ts";

export function statusCode(code: LicenseStatusCode): StatusCode {
  return StatusCode[`STATUS_CODE_${code}`];
}

const LICENSE_TYPES = {
  floating: LicenseType.LICENSE_TYPE_FLOATING,
  node_locked: LicenseType.LICENSE_TYPE_NODE_LOCKED,
};
const FEATURE_KINDS = {
  boolean: FeatureKind.FEATURE_KIND_BOOLEAN,
  metered: FeatureKind.FEATURE_KIND_METERED,
};
const QUOTA_PERIODS = {
  total: QuotaPeriod.QUOTA_PERIOD_TOTAL,
  day: QuotaPeriod.QUOTA_PERIOD_DAY,
  month: QuotaPeriod.QUOTA_PERIOD_MONTH,
};

const EXPIRY_STRATEGIES = {
  restrict: ExpiryStrategy.EXPIRY_STRATEGY_RESTRICT,
  maintain_versions: ExpiryStrategy.EXPIRY_STRATEGY_MAINTAIN_VERSIONS,
  allow: ExpiryStrategy.EXPIRY_STRATEGY_ALLOW,
};
const MACHINE_MATCHINGS = {
  fingerprint: MachineMatching.MACHINE_MATCHING_FINGERPRINT,
  any: MachineMatching.MACHINE_MATCHING_ANY,
  most: MachineMatching.MACHINE_MATCHING_MOST,
  all: MachineMatching.MACHINE_MATCHING_ALL,
};

function licenseInfo(view: LicenseView | null): LicenseInfo | undefined {
  if (!view) return undefined;
  return LicenseInfo.fromPartial({
    ...view,
    type: LICENSE_TYPES[view.type],
    expiresAt: view.expiresAt ?? undefined,
    expiryStrategy: EXPIRY_STRATEGIES[view.expiryStrategy],
    checkInIntervalDays: view.checkInIntervalDays ?? 0,
    policyName: view.policyName ?? "",
    machineMatching: MACHINE_MATCHINGS[view.machineMatching],
  });
}

/** The answer's Standing; absent when there is nothing to say. */
export function standing(value: Standing | null | undefined): ProtoStanding | undefined {
  if (!value) return undefined;
  return ProtoStanding.fromPartial({ ...value, nextCheckInAt: value.nextCheckInAt ?? undefined });
}

function entitlement(view: EntitlementView): Entitlement {
  return Entitlement.fromPartial({
    ...view,
    kind: FEATURE_KINDS[view.kind],
    quota: view.quota ?? undefined,
    quotaPeriod: QUOTA_PERIODS[view.quotaPeriod],
  });
}

function grace(grant: GraceGrant | null) {
  return { graceToken: grant?.token ?? "", graceTokenExpiresAt: grant?.expiresAt };
}

const NO_CLIENT: ClientInfo = {
  productCode: "",
  fingerprint: "",
  clientVersion: "",
  hostname: "",
  components: [],
};

/**
 * The domain's input shape of the fields every request naming a license carries. A missing
 * `client` reads as an empty one (as proto3 does), so the errors name its required fields.
 */
function named(request: { licenseKey: string; client?: ClientInfo | undefined }) {
  return { licenseKey: request.licenseKey, client: request.client ?? NO_CLIENT };
}

export interface ClientOperation<Req, Res> {
  /** the RPC's name in license.v1.LicenseService */
  rpc: string;
  request: MessageFns<Req>;
  response: MessageFns<Res>;
  /** the license key the request names (for per-key rate limits), if any */
  licenseKey(request: Req): string | null;
  run(ctx: LicensingContext, request: Req): Promise<Res>;
  /** operations counted as validations on the dashboard: whether the answer was VALID */
  validation?: (response: Res) => boolean;
  /** StartTrial: also counted by the tighter per-address trial limit (rate-limit.ts) */
  trialLimited?: boolean;
}

function operation<Req, Res>(op: ClientOperation<Req, Res>): ClientOperation<Req, Res> {
  return op;
}

export const clientOperations = {
  validate: operation({
    rpc: "Validate",
    request: ValidateRequest,
    response: ValidateResponse,
    licenseKey: (r) => r.licenseKey,
    validation: (r) => r.status === StatusCode.STATUS_CODE_VALID,
    run: async (ctx, request) => {
      const answer = await validateLicense(ctx, named(request));
      return ValidateResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        license: licenseInfo(answer.license),
        entitlements: answer.entitlements.map(entitlement),
        serverTime: answer.serverTime,
        ...grace(answer.grace),
        standing: standing(answer.standing),
      });
    },
  }),
  activate: operation({
    rpc: "Activate",
    request: ActivateRequest,
    response: ActivateResponse,
    licenseKey: (r) => r.licenseKey,
    validation: (r) => r.status === StatusCode.STATUS_CODE_VALID,
    run: async (ctx, request) => {
      const answer = await activateSession(ctx, { ...named(request), metadata: request.metadata });
      return ActivateResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        sessionId: answer.sessionId ?? "",
        resumed: answer.resumed,
        heartbeatDeadline: answer.heartbeatDeadline ?? undefined,
        heartbeatIntervalSeconds: answer.license?.heartbeatIntervalSeconds ?? 0,
        license: licenseInfo(answer.license),
        entitlements: answer.entitlements.map(entitlement),
        serverTime: answer.serverTime,
        ...grace(answer.grace),
        standing: standing(answer.standing),
      });
    },
  }),
  heartbeat: operation({
    rpc: "Heartbeat",
    request: HeartbeatRequest,
    response: HeartbeatResponse,
    licenseKey: (r) => r.licenseKey,
    run: async (ctx, request) => {
      const answer = await heartbeatSession(ctx, { ...named(request), sessionId: request.sessionId });
      return HeartbeatResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        heartbeatDeadline: answer.heartbeatDeadline ?? undefined,
        serverTime: answer.serverTime,
        ...grace(answer.grace),
        standing: standing(answer.standing),
      });
    },
  }),
  deactivate: operation({
    rpc: "Deactivate",
    request: DeactivateRequest,
    response: DeactivateResponse,
    licenseKey: (r) => r.licenseKey,
    run: async (ctx, request) => {
      const answer = await deactivateSession(ctx, { ...named(request), sessionId: request.sessionId });
      return DeactivateResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        serverTime: answer.serverTime,
      });
    },
  }),
  getEntitlements: operation({
    rpc: "GetEntitlements",
    request: GetEntitlementsRequest,
    response: GetEntitlementsResponse,
    licenseKey: (r) => r.licenseKey,
    run: async (ctx, request) => {
      const answer = await getEntitlements(ctx, named(request));
      return GetEntitlementsResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        entitlements: answer.entitlements.map(entitlement),
        serverTime: answer.serverTime,
      });
    },
  }),
  recordUsage: operation({
    rpc: "RecordUsage",
    request: RecordUsageRequest,
    response: RecordUsageResponse,
    licenseKey: (r) => r.licenseKey,
    run: async (ctx, request) => {
      const answer = await recordUsage(ctx, {
        ...named(request),
        featureCode: request.featureCode,
        amount: request.amount,
        idempotencyKey: request.idempotencyKey,
        sessionId: request.sessionId || undefined,
      });
      return RecordUsageResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        replayed: answer.replayed,
        used: answer.used,
        quota: answer.quota ?? undefined,
        quotaPeriod: answer.quotaPeriod
          ? QUOTA_PERIODS[answer.quotaPeriod]
          : QuotaPeriod.QUOTA_PERIOD_UNSPECIFIED,
        serverTime: answer.serverTime,
      });
    },
  }),
  startTrial: operation({
    rpc: "StartTrial",
    request: StartTrialRequest,
    response: StartTrialResponse,
    licenseKey: () => null,
    trialLimited: true,
    run: async (ctx, request) => {
      const answer = await startTrial(ctx, { client: request.client ?? NO_CLIENT, email: request.email });
      return StartTrialResponse.fromPartial({
        status: statusCode(answer.status),
        message: answer.message,
        licenseKey: answer.licenseKey ?? "",
        license: licenseInfo(answer.license),
        entitlements: answer.entitlements.map(entitlement),
        serverTime: answer.serverTime,
        standing: standing(answer.standing),
        ...grace(answer.grace),
      });
    },
  }),
  getPublicKeys: operation({
    rpc: "GetPublicKeys",
    request: GetPublicKeysRequest,
    response: GetPublicKeysResponse,
    licenseKey: () => null,
    run: async (ctx) =>
      GetPublicKeysResponse.fromPartial({ keys: await publicKeyring(ctx.db), serverTime: ctx.clock.now() }),
  }),
};

export type ClientOperationName = keyof typeof clientOperations;
