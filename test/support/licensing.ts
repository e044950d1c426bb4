// The licensing API under test: the gRPC sidecar on a loopback port 0 over a test database (with
// the test's clock), a nice-grpc client for it, and the REST twin's handler on the same services.
// Both put a fresh nonce in each request and check each answer's signature and binding before
// handing back the plain response (so every test of the API also checks that answers are signed);
// `raw` is the bare gRPC client for tests of the envelope itself.
import { randomBytes } from "node:crypto";
import { createChannel, createClientFactory, type CallOptions, type Channel } from "nice-grpc";
import {
  ANSWER_SIGNATURE_HEADER,
  AnswerKeyring,
  parseAnswerSignatureHeader,
  type RawSignedAnswer,
} from "../../sdk/src/index.ts";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import { createGatewayServer, type Gateway } from "../../grpc-gateway/server.ts";
import {
  ActivateResponse,
  DeactivateResponse,
  GetEntitlementsResponse,
  GetPublicKeysResponse,
  HeartbeatResponse,
  LicenseServiceDefinition,
  RecordUsageResponse,
  StartTrialResponse,
  ValidateResponse,
  type LicenseServiceClient,
  type MessageFns,
} from "../../src/generated/proto/license/v1/license.ts";
import { handleClientRestRequest } from "../../src/server/licensing-api/rest.ts";
import type { LicensingConfig } from "../../src/server/config.ts";
import { ensureSigningKey } from "../../src/server/core/signing-keys/ensure-signing-key.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import type { LicensingContext } from "../../src/server/core/validation/licensing-context.ts";
import { HeartbeatBuffer } from "../../src/server/core/sessions/heartbeat-buffer.ts";
import { cachedSigner } from "../../src/server/core/signing-keys/active-signer.ts";
import type { DbHandle } from "../../src/server/db/client.ts";
import { createLogger } from "../../src/server/logger.ts";
import type { TestDb } from "./db.ts";

/** Each RPC's response message (the server's generated types, which the tests compare with). */
const RESPONSES = {
  validate: { name: "Validate", type: ValidateResponse },
  activate: { name: "Activate", type: ActivateResponse },
  heartbeat: { name: "Heartbeat", type: HeartbeatResponse },
  deactivate: { name: "Deactivate", type: DeactivateResponse },
  getEntitlements: { name: "GetEntitlements", type: GetEntitlementsResponse },
  recordUsage: { name: "RecordUsage", type: RecordUsageResponse },
  getPublicKeys: { name: "GetPublicKeys", type: GetPublicKeysResponse },
  startTrial: { name: "StartTrial", type: StartTrialResponse },
};
type LicenseRpc = keyof typeof RESPONSES;
type LicenseResponses = {
  [M in LicenseRpc]: (typeof RESPONSES)[M]["type"] extends MessageFns<infer T> ? T : never;
};

/** The gRPC client with nonces added and answers verified and unwrapped. */
export type VerifyingClient = {
  [M in LicenseRpc]: (
    request: Parameters<LicenseServiceClient[M]>[0],
    options?: CallOptions,
  ) => Promise<LicenseResponses[M]>;
};

export interface LicensingServer {
  gateway: Gateway;
  client: VerifyingClient;
  /** the bare client: SignedAnswer envelopes, no nonce added */
  raw: LicenseServiceClient;
  /** POST (or `method`) to the REST twin: /api/v1/client/<route> */
  rest(
    route: string,
    body?: unknown,
    options?: { method?: string; ip?: string; raw?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startLicensingServer(
  db: TestDb,
  options: { licensing?: Partial<LicensingConfig>; handle?: DbHandle } = {},
): Promise<LicensingServer> {
  await ensureSigningKey(db.handle, db.ctx().encryptionKey, db.clock.now());
  const gateway = await createGatewayServer({
    config: {
      grpcHost: "127.0.0.1",
      grpcPort: 0,
      encryptionKey: db.ctx().encryptionKey,
      licensing: {
        heartbeatToleranceSeconds: 60,
        reaperIntervalSeconds: 0,
        rateLimitPerKey: 100_000,
        rateLimitPerPeer: 100_000,
        ...options.licensing,
      },
    },
    logger: createLogger({ level: "silent" }),
    db: options.handle ?? db.handle,
    clock: db.clock,
    shutdownTimeoutMs: 2000,
  });
  const channel: Channel = createChannel(`127.0.0.1:${gateway.port}`);
  const raw = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .create(LicenseServiceDefinition, channel);
  const keys = () => verifierFor(options.handle ?? db.handle);
  const client = Object.fromEntries(
    (Object.keys(RESPONSES) as LicenseRpc[]).map((method) => [
      method,
      async (request: { nonce?: Uint8Array }, callOptions?: CallOptions) => {
        const nonce = request.nonce ?? randomBytes(16);
        const call = raw[method] as (
          r: unknown,
          o?: CallOptions,
        ) => Promise<{ answer: Uint8Array; kid: string; signature: Uint8Array }>;
        const envelope = await call.call(raw, { ...request, nonce }, callOptions);
        return openAnswer(
          await keys(),
          method,
          { format: "protobuf", bytes: envelope.answer, kid: envelope.kid, signature: envelope.signature },
          nonce,
        );
      },
    ]),
  ) as VerifyingClient;
  return {
    gateway,
    client,
    raw,
    rest: async (route, body, o = {}) => {
      const withNonce =
        body !== null && typeof body === "object" && !Array.isArray(body) && !("nonce" in body)
          ? { ...body, nonce: randomBytes(16).toString("base64") }
          : (body ?? { nonce: randomBytes(16).toString("base64") });
      const response = await handleClientRestRequest(
        new Request(
          `http://localhost/api/v1/client/${route}${o.method === "GET" ? `?nonce=${encodeURIComponent(randomBytes(16).toString("base64"))}` : ""}`,
          {
            method: o.method ?? "POST",
            headers: { "content-type": "application/json" },
            ...((o.method ?? "POST") === "GET" ? {} : { body: o.raw ?? JSON.stringify(withNonce) }),
          },
        ),
        gateway.services,
        route,
        o.ip ?? "127.0.0.1",
      );
      if (response.status !== 200) return response;
      // every 200 answer must carry a signature over its exact body
      const bytes = new Uint8Array(await response.arrayBuffer());
      const header = parseAnswerSignatureHeader(response.headers.get(ANSWER_SIGNATURE_HEADER));
      const check = (await keys()).check({
        format: "json",
        bytes,
        kid: header?.kid ?? "",
        signature: header?.signature ?? new Uint8Array(),
      });
      if (check !== "VALID") throw new Error(`REST ${route}: the answer's signature is ${check}`);
      return new Response(bytes, { status: response.status, headers: response.headers });
    },
    close: async () => {
      channel.close();
      await gateway.shutdown();
    },
  };
}

export const fingerprint = () => `fp-${randomBytes(6).toString("hex")}`;

async function verifierFor(handle: DbHandle): Promise<AnswerKeyring> {
  return new AnswerKeyring(await publicKeyring(handle.db));
}

/** Verifies a signed answer and its binding's nonce and RPC, then decodes it. */
export function openAnswer<M extends LicenseRpc>(
  keyring: AnswerKeyring,
  method: M,
  answer: RawSignedAnswer,
  nonce: Uint8Array,
): LicenseResponses[M] {
  const check = keyring.check(answer);
  if (check !== "VALID") throw new Error(`${method}: the answer's signature is ${check}`);
  const rpc = RESPONSES[method];
  const decoded = rpc.type.decode(answer.bytes) as LicenseResponses[M] & {
    binding?: { rpc: string; nonce: Uint8Array };
  };
  if (decoded.binding?.rpc !== rpc.name)
    throw new Error(`${method}: the answer is bound to ${decoded.binding?.rpc}`);
  if (!Buffer.from(decoded.binding.nonce).equals(Buffer.from(nonce)))
    throw new Error(`${method}: nonce mismatch`);
  return decoded;
}

/**
 * The licensing domain's context over a test database, as a licensed client calls it (no
 * transport): its heartbeats are flushed only by hand, so tests see what a crash would leave.
 */
export function testClientContext(
  db: TestDb,
  ip: string,
  heartbeatToleranceSeconds: number,
): LicensingContext {
  const ctx = db.ctx();
  return {
    db: ctx.db,
    reads: db.handle.reads,
    provider: ctx.provider,
    clock: db.clock,
    logger: ctx.logger,
    ip,
    encryptionKey: ctx.encryptionKey,
    signer: cachedSigner(ctx.db, ctx.encryptionKey),
    heartbeatToleranceSeconds,
    heartbeats: new HeartbeatBuffer(ctx.db, ctx.provider, ctx.logger, 0),
  };
}
