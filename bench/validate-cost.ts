// Where a Validate's server time goes: the layers of the call timed in this process, one call at a
// time on the seeded database (no network, no load generator sharing the cores).
import { ValidateRequest } from "../src/generated/proto/license/v1/license.ts";
import { clientOperations } from "../src/server/client-api/operations.ts";
import {
  clientContext,
  createClientServices,
  runClientOperation,
} from "../src/server/client-api/services.ts";
import { issueGraceToken } from "../src/server/core/licensing/grace-token.ts";
import { validateLicense } from "../src/server/core/licensing/validate-license.ts";
import { openDatabase } from "../src/server/db/client.ts";
import { createLogger } from "../src/server/logger.ts";
import type { Seeded } from "./lib/seed.ts";

export interface ValidateCost {
  /** µs per call, each layer including the ones above it in this list */
  read: number;
  sign: number;
  domain: number;
  operation: number;
  wire: number;
}

export async function benchValidateCost(seeded: Seeded, calls = 20_000): Promise<ValidateCost> {
  const handle = await openDatabase(seeded.target);
  const services = createClientServices({
    database: handle,
    encryptionKey: seeded.encryptionKey,
    logger: createLogger({ level: "silent" }),
    licensing: {
      heartbeatToleranceSeconds: 60,
      reaperIntervalSeconds: 0,
      rateLimitPerKey: 1_000_000_000,
      rateLimitPerPeer: 1_000_000_000,
    },
  });
  try {
    const keys = seeded.keys.slice(0, 20_000);
    const key = (i: number) => keys[i % keys.length] ?? "";
    const client = (i: number) => ({
      productCode: seeded.productCode,
      fingerprint: `cost-${i}`,
      clientVersion: "1.0.0",
      hostname: "bench",
    });
    const perCall = async (work: (i: number) => unknown): Promise<number> => {
      for (let i = 0; i < 2000; i++) await work(i); // warm-up: JIT, statement caches
      const started = performance.now();
      for (let i = 0; i < calls; i++) await work(i);
      return ((performance.now() - started) * 1000) / calls;
    };
    const now = new Date();
    const signer = await services.signer();
    const ctx = clientContext(services, "127.0.0.1");
    const op = clientOperations.validate;
    return {
      read: await perCall((i) => handle.reads.licenseByKey(key(i), now)),
      sign: await perCall((i) =>
        issueGraceToken(signer, {
          licenseId: "cost",
          licenseKey: key(i),
          fingerprint: `cost-${i}`,
          productCode: seeded.productCode,
          featureCodes: ["a", "b"],
          licenseExpiresAt: null,
          gracePeriodHours: 72,
          now,
        }),
      ),
      domain: await perCall((i) => validateLicense(ctx, { licenseKey: key(i), client: client(i) })),
      operation: await perCall((i) =>
        runClientOperation(
          services,
          op,
          ValidateRequest.fromPartial({ licenseKey: key(i), client: client(i) }),
          "127.0.0.1",
        ),
      ),
      wire: await perCall(async (i) => {
        const body = ValidateRequest.encode(
          ValidateRequest.fromPartial({ licenseKey: key(i), client: client(i) }),
        ).finish();
        const response = await runClientOperation(services, op, op.request.decode(body), "127.0.0.1");
        return op.response.encode(response).finish();
      }),
    };
  } finally {
    await services.close();
    await handle.close();
  }
}
