// Attack: NUL and other control characters in the fields StartTrial stores (fingerprint, hostname,
// component hashes), through the real licensing API (gRPC on loopback and the REST twin), on both
// databases. PostgreSQL text cannot hold U+0000: the answer must be a precise refusal
// (INVALID_ARGUMENT naming the field) or a trial, never INTERNAL / 500, and nothing half-written.
import { Status } from "nice-grpc";
import type { RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

describeEachDb("issue 15 attacks: NUL bytes in StartTrial", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10_000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  for (const field of ["hostname", "fingerprint", "hash"] as const) {
    it(`a NUL in the ${field}: INVALID_ARGUMENT or VALID, never INTERNAL`, async () => {
      const { product } = await makeTrialProduct(db, { machineMatching: "any" });
      const client = {
        productCode: product.code,
        fingerprint: field === "fingerprint" ? `${fingerprint()}\u0000x` : fingerprint(),
        clientVersion: "1.0.0",
        hostname: field === "hostname" ? "evil\u0000host" : "host",
        components: [{ kind: "board", hash: field === "hash" ? "b\u0000x" : "b" }],
      };
      const outcome = await server.client.startTrial({ client, email: "" }).then(
        (answer) => ({ ok: true as const, answer }),
        (error: unknown) => ({ ok: false as const, error: error as RichClientError }),
      );
      if (!outcome.ok) {
        expect(outcome.error.code, outcome.error.message).toBe(Status.INVALID_ARGUMENT);
        expect(await db.handle.db.trial.count({ where: { productId: product.id } })).toBe(0);
      }
      const rest = await server.rest("start-trial", {
        client: { ...client, fingerprint: `${client.fingerprint}-r` },
      });
      expect([200, 400], await rest.clone().text()).toContain(rest.status);
    });
  }
});
