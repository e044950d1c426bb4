// @license-server/sdk — the client library for software licensed by the license server (Node
// >= 20, Electron's main process): the license client with its fallback chain, offline
// verification, and the typed admin client. `@license-server/sdk/offline` is the part that also
// runs in browsers and Electron renderers.
export * from "./offline.ts";

export { LicenseClient } from "./client/license-client.ts";
export type { LicenseClientOptions } from "./client/license-client.ts";
export type { LicenseClientEvents } from "./client/events.ts";
export type {
  ClientStatusCode,
  EntitlementInfo,
  LicenseDetails,
  Tier,
  TrialResult,
  UsageResult,
  ValidationResult,
} from "./client/types.ts";
export { defaultFingerprint, machineId } from "./client/fingerprint.ts";
export {
  COMPONENT_KINDS,
  collectRawComponents,
  hashComponent,
  machineComponents,
  resetMachineComponents,
} from "./client/components.ts";
export type { ComponentKind, ComponentProbe, MachineComponent } from "./client/components.ts";
export { RequestRejectedError, TransportUnavailableError } from "./client/transport.ts";
export type { LicenseRequests, LicenseResponses, LicenseRpc, LicenseTransport } from "./client/transport.ts";
export { UntrustedAnswerError } from "./client/verified-server.ts";
export { spkiPin } from "./client/tls.ts";
export type { LicenseTlsOptions } from "./client/tls.ts";
export type { UntrustedReason } from "./client/verified-server.ts";
export {
  ANSWER_SIGNATURE_HEADER,
  ANSWER_SIGNING_CONTEXT,
  AnswerKeyring,
  answerSigningInput,
  formatAnswerSignatureHeader,
  NONCE_MAX_BYTES,
  NONCE_MIN_BYTES,
  parseAnswerSignatureHeader,
} from "./signed-answer.ts";
export type { AnswerFormat, AnswerSignatureCheck, RawSignedAnswer } from "./signed-answer.ts";
export type { PendingUsage } from "./client/cache.ts";

export { AdminClientError, createAdminClient } from "./admin-client.ts";
export type { AdminClient, AdminClientOptions, AdminRouter } from "./admin-client.ts";
