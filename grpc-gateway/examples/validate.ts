// A gRPC client of license.v1.LicenseService in a dozen lines (the SDK wraps this for shipped
// software). Usage:
//   npx tsx grpc-gateway/examples/validate.ts <host:port> <license key> <product code> <fingerprint>
// Prints the status, the entitled features and when the grace token expires.
import { createChannel, createClient } from "nice-grpc";
import { LicenseServiceDefinition, StatusCode } from "../../src/generated/proto/license/v1/license.ts";

const [address, licenseKey, productCode, fingerprint] = process.argv.slice(2);
if (!address || !licenseKey || !productCode || !fingerprint) {
  console.error("usage: validate.ts <host:port> <license key> <product code> <fingerprint>");
  process.exit(2);
}
const channel = createChannel(address);
const client = createClient(LicenseServiceDefinition, channel);
try {
  const answer = await client.validate(
    { licenseKey, client: { productCode, fingerprint, clientVersion: "example", hostname: "" } },
    { signal: AbortSignal.timeout(5000) },
  );
  const status = StatusCode[answer.status].replace("STATUS_CODE_", "");
  const features = answer.entitlements.map((e) => e.featureCode).join(",");
  console.log(`${status} ${features || "-"} ${answer.graceTokenExpiresAt?.toISOString() ?? "-"}`);
  process.exitCode = status === "VALID" ? 0 : 1;
} finally {
  channel.close();
}
