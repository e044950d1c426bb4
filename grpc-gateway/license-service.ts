// license.v1.LicenseService over the domain: each RPC is rate limited (per client address and
// per license key) and then runs the shared operation (src/server/client-api/operations.ts).
import type { CallContext, ServiceImplementation } from "nice-grpc";
import type { LicenseServiceDefinition } from "../src/generated/proto/license/v1/license.ts";
import { clientOperations, type ClientOperation } from "../src/server/client-api/operations.ts";
import { runClientOperation, type ClientServices } from "../src/server/client-api/services.ts";

/** The address of a gRPC peer ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000") without its port. */
export function peerAddress(peer: string): string {
  const address = peer.replace(/^(ipv4|ipv6|unix):/, "");
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(address);
  if (bracketed?.[1]) return bracketed[1];
  const lastColon = address.lastIndexOf(":");
  return lastColon > 0 && address.indexOf(":") === lastColon ? address.slice(0, lastColon) : address;
}

export function licenseServiceImpl(
  services: ClientServices,
): ServiceImplementation<typeof LicenseServiceDefinition> {
  const handle =
    <Req, Res>(op: ClientOperation<Req, Res>) =>
    async (request: Req, context: CallContext): Promise<Res> => {
      return runClientOperation(services, op, request, peerAddress(context.peer));
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
  };
}
