// license.v1.LicenseService over the domain: each RPC is rate limited (per client address and
// per license key; StartTrial also per address by the hour), runs the shared operation (src/server/licensing-api/operations.ts) and answers
// with a SignedAnswer: the encoded response and the server's signature over exactly those bytes.
import type { CallContext, ServiceImplementation } from "nice-grpc";
import type {
  AnswerBinding,
  LicenseServiceDefinition,
  SignedAnswer,
} from "../src/generated/proto/license/v1/license.ts";
import { clientAddress, type TrustProxy } from "../src/server/client-address.ts";
import { clientOperations, type ClientOperation } from "../src/server/licensing-api/operations.ts";
import {
  runClientOperation,
  type LicensingServices,
} from "../src/server/licensing-api/licensing-services.ts";
import { sealProtobuf, type BindableRequest } from "../src/server/licensing-api/signed-answers.ts";

/** The address of a gRPC peer ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000") without its port. */
export function peerAddress(peer: string): string {
  const address = peer.replace(/^(ipv4|ipv6|unix):/, "");
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(address);
  if (bracketed?.[1]) return bracketed[1];
  const lastColon = address.lastIndexOf(":");
  return lastColon > 0 && address.indexOf(":") === lastColon ? address.slice(0, lastColon) : address;
}

/**
 * The caller's real address: the connection's peer, or, behind a proxy TRUST_PROXY trusts (nginx
 * `grpc_pass` with `grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), the client the
 * x-forwarded-for metadata names, by the same rule as the web app (src/server/client-address.ts),
 * so that both transports count a client under one address.
 */
export function callerAddress(context: Pick<CallContext, "peer" | "metadata">, trust: TrustProxy): string {
  const forwarded = trust === false ? undefined : context.metadata.getAll("x-forwarded-for");
  return clientAddress(peerAddress(context.peer), forwarded, trust);
}

export function licenseServiceImpl(
  services: LicensingServices,
  trustProxy: TrustProxy = false,
): ServiceImplementation<typeof LicenseServiceDefinition> {
  const handle =
    <Req extends BindableRequest, Res extends { binding?: AnswerBinding }>(op: ClientOperation<Req, Res>) =>
    async (request: Req, context: CallContext): Promise<SignedAnswer> => {
      const response = await runClientOperation(services, op, request, callerAddress(context, trustProxy));
      return sealProtobuf(await services.signer(), op.response.encode(response).finish());
    };
  const ops = clientOperations;
  return {
    validate: handle(ops.validate),
    activate: handle(ops.activate),
    heartbeat: handle(ops.heartbeat),
    deactivate: handle(ops.deactivate),
    getEntitlements: handle(ops.getEntitlements),
    recordUsage: handle(ops.recordUsage),
    getPublicKeys: handle(ops.getPublicKeys),
    startTrial: handle(ops.startTrial),
  };
}
