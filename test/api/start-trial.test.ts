// StartTrial end to end: the gRPC sidecar on a loopback port and the REST twin, on SQLite and
// PostgreSQL: both answer alike (signed, bound to the machine with no key hash), the trial key
// validates on its machine, a second trial is refused, and the per-address hourly limit holds
// against a forged X-Forwarded-For.
import { Metadata, Status } from "nice-grpc";
import type { RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  StartTrialResponse,
  StatusCode,
  type ClientInfo,
} from "../../src/generated/proto/license/v1/license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

describeEachDb("StartTrial over gRPC and the REST twin", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  const clientFor = (productCode: string, fp = fingerprint()): ClientInfo => ({
    productCode,
    fingerprint: fp,
    clientVersion: "1.0.0",
    hostname: "trial-host",
    components: [{ kind: "board", hash: "b1" }],
  });

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
  });
  afterAll(async () => {
    await server.close();
  });

  it("starts a trial on gRPC: VALID with the key, bound to the machine, no key hash in the binding", async () => {
    const { product } = await makeTrialProduct(db);
    const client = clientFor(product.code);
    const answer = await server.client.startTrial({ client, email: "" });
    expect(statusName(answer.status), answer.message).toBe("VALID");
    expect(answer.licenseKey).not.toBe("");
    expect(answer.license?.trial).toBe(true);
    expect(answer.graceToken).not.toBe("");
    expect(answer.binding).toMatchObject({
      rpc: "StartTrial",
      licenseKeyHash: "",
      fingerprint: client.fingerprint,
      productCode: product.code,
    });
    const here = await server.client.validate({ licenseKey: answer.licenseKey, client });
    expect(statusName(here.status)).toBe("VALID");
    const elsewhere = await server.client.validate({
      licenseKey: answer.licenseKey,
      client: clientFor(product.code),
    });
    expect(statusName(elsewhere.status)).toBe("FINGERPRINT_MISMATCH");
    const again = await server.client.startTrial({ client });
    expect(statusName(again.status)).toBe("TRIAL_ALREADY_USED");
  });

  it("answers the same on the REST twin (POST /api/v1/client/start-trial)", async () => {
    const { product } = await makeTrialProduct(db);
    const client = clientFor(product.code);
    const response = await server.rest("start-trial", { client, email: "eval@example.com" });
    expect(response.status).toBe(200);
    const answer = StartTrialResponse.fromJSON(await response.json());
    expect(statusName(answer.status)).toBe("VALID");
    expect(answer.binding?.licenseKeyHash).toBe("");
    const again = StartTrialResponse.fromJSON(await (await server.rest("start-trial", { client })).json());
    expect(statusName(again.status)).toBe("TRIAL_ALREADY_USED");
    // and the key it gave validates on gRPC
    const grpc = await server.client.validate({ licenseKey: answer.licenseKey, client });
    expect(statusName(grpc.status)).toBe("VALID");

    const { product: plain } = await makeProduct(db);
    const grpcRefusal = await server.client.startTrial({ client: clientFor(plain.code) });
    const restRefusal = StartTrialResponse.fromJSON(
      await (await server.rest("start-trial", { client: clientFor(plain.code) })).json(),
    );
    expect(statusName(grpcRefusal.status)).toBe("TRIAL_NOT_AVAILABLE");
    expect(restRefusal.status).toBe(grpcRefusal.status);
    expect(restRefusal.message).toBe(grpcRefusal.message);
  });

  it("refuses bad input alike: INVALID_ARGUMENT with the field, HTTP 400", async () => {
    const error = (await server.client
      .startTrial({ client: { ...clientFor("x"), fingerprint: "" } })
      .catch((e: unknown) => e)) as RichClientError;
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    const rest = await server.rest("start-trial", { client: { productCode: "x", fingerprint: "" } });
    expect(rest.status).toBe(400);
    const body = (await rest.json()) as { code: string; fields: { path: string }[] };
    expect(body.code).toBe("INVALID_ARGUMENT");
    expect(body.fields.map((f) => f.path)).toContain("client.fingerprint");
  });

  it("limits StartTrial per address: the 11th in an hour is RESOURCE_EXHAUSTED / 429, a forged X-Forwarded-For does not reset it", async () => {
    const limited = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10 } });
    try {
      const { product } = await makeTrialProduct(db);
      for (let i = 0; i < 10; i++) {
        // each from its own forged address: not believed (TRUST_PROXY is off), all count for the peer
        const metadata = new Metadata({ "x-forwarded-for": `198.51.100.${i + 1}` });
        const answer = await limited.client.startTrial({ client: clientFor(product.code) }, { metadata });
        expect(statusName(answer.status)).toBe("VALID");
      }
      const error = (await limited.client
        .startTrial(
          { client: clientFor(product.code) },
          { metadata: new Metadata({ "x-forwarded-for": "203.0.113.99" }) },
        )
        .catch((e: unknown) => e)) as RichClientError;
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      const rest = await limited.rest(
        "start-trial",
        { client: clientFor(product.code) },
        { ip: "127.0.0.1" },
      );
      expect(rest.status).toBe(429);
      expect(Number(rest.headers.get("retry-after"))).toBeGreaterThan(0);
      // the limit is StartTrial's own: other calls from the same address still pass
      const ok = await limited.rest("get-public-keys", {});
      expect(ok.status).toBe(200);
      // another address has its own count
      const other = await limited.rest(
        "start-trial",
        { client: clientFor(product.code) },
        { ip: "192.0.2.5" },
      );
      expect(other.status).toBe(200);
      expect(await db.handle.db.trial.count({ where: { productId: product.id } })).toBe(11);
    } finally {
      await limited.close();
    }
  });
});
