// Control characters and malformed shapes in the licensing API's inputs, through gRPC on loopback
// and the REST twin, on both databases. PostgreSQL text cannot hold U+0000, so a NUL that reached
// a write answered INTERNAL there: every licensing input that is stored refuses it up front
// (INVALID_ARGUMENT / HTTP 400 naming the field, "must not contain control characters" for the
// identifiers, NUL for free text), and nothing is written. The REST twin also refuses a repeated
// field that is not a list (ts-proto's fromJSON read `client.components: {…}` as no components).
import { Status } from "nice-grpc";
import { BadRequest, RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import { StatusCode, type ClientInfo } from "../../src/generated/proto/license/v1/license.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeWorld } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

const CONTROL = "must not contain control characters";
/** gRPC's BadRequest names fields as the proto does (snake_case), the REST twin as its JSON. */
const protoPath = (path: string) => path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describeEachDb("licensing API: control characters and malformed shapes", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db, { licensing: { trialRateLimitPerHour: 10_000 } });
    world = await makeWorld(db);
  });
  afterAll(async () => {
    await server.close();
  });

  const clientOf = (productCode: string, fp = fingerprint()): ClientInfo => ({
    productCode,
    fingerprint: fp,
    clientVersion: "1.0.0",
    hostname: "host",
    components: [{ kind: "board", hash: "b1" }],
  });

  const written = async () => ({
    machines: await db.handle.db.machineBinding.count(),
    sessions: await db.handle.db.session.count(),
    usage: await db.handle.db.usageRecord.count(),
    trials: await db.handle.db.trial.count(),
    licenses: await db.handle.db.license.count(),
  });

  /** The gRPC call's refusal: its status and BadRequest field violations. */
  async function grpcRefusal(call: Promise<unknown>) {
    const error = await call.then(
      () => {
        throw new Error("the call succeeded");
      },
      (e: unknown) => e,
    );
    if (!(error instanceof RichClientError)) throw error;
    const fields = error.extra
      .filter((d): d is BadRequest => d.$type === BadRequest.$type)
      .flatMap((d) => d.fieldViolations.map((v) => ({ path: v.field, message: v.description })));
    return { code: Status[error.code], fields };
  }

  async function restRefusal(route: string, body: unknown) {
    const response = await server.rest(route, body);
    const json = (await response.json()) as { code: string; fields?: { path: string; message: string }[] };
    return { status: response.status, code: json.code, fields: json.fields ?? [] };
  }

  const withNul = {
    productCode: (c: ClientInfo) => ({ ...c, productCode: `${c.productCode}\u0000` }),
    fingerprint: (c: ClientInfo) => ({ ...c, fingerprint: `${c.fingerprint}\u0000x` }),
    hostname: (c: ClientInfo) => ({ ...c, hostname: "evil\u0000host" }),
    clientVersion: (c: ClientInfo) => ({ ...c, clientVersion: "1.0.0\u0000" }),
    "components.0.hash": (c: ClientInfo) => ({ ...c, components: [{ kind: "board", hash: "b\u0000x" }] }),
    "components.0.kind": (c: ClientInfo) => ({ ...c, components: [{ kind: "bo\u0000ard", hash: "b1" }] }),
  };

  for (const [field, poison] of Object.entries(withNul)) {
    it(`a NUL in client.${field}: INVALID_ARGUMENT naming it on Validate, Activate and StartTrial, HTTP 400, nothing written`, async () => {
      const trial = await makeTrialProduct(db, { machineMatching: "any" });
      const before = await written();
      const path = `client.${field}`;
      const expected = { path, message: CONTROL };
      const key = world.license.key;

      const calls = [
        server.client.validate({ licenseKey: key, client: poison(clientOf(world.product.code)) }),
        server.client.activate({ licenseKey: key, client: poison(clientOf(world.product.code)) }),
        server.client.startTrial({ client: poison(clientOf(trial.product.code)), email: "" }),
      ];
      for (const call of calls) {
        const refusal = await grpcRefusal(call);
        expect(refusal.code).toBe("INVALID_ARGUMENT");
        expect(refusal.fields).toContainEqual({ ...expected, path: protoPath(path) });
      }
      for (const [route, body] of [
        ["validate", { licenseKey: key, client: poison(clientOf(world.product.code)) }],
        ["start-trial", { client: poison(clientOf(trial.product.code)) }],
      ] as const) {
        const rest = await restRefusal(route, body);
        expect(rest).toMatchObject({ status: 400, code: "INVALID_ARGUMENT" });
        expect(rest.fields).toContainEqual(expected);
      }
      expect(await written()).toEqual(before);
    });
  }

  it("other control characters (U+001F, U+007F, a tab inside) are refused too; trimmed whitespace at the ends is not", async () => {
    for (const hostname of ["a\u001fb", "a\u007fb", "a\tb"]) {
      const refusal = await grpcRefusal(
        server.client.validate({
          licenseKey: world.license.key,
          client: { ...clientOf(world.product.code), hostname },
        }),
      );
      expect(refusal.fields).toContainEqual({ path: "client.hostname", message: CONTROL });
    }
    const answer = await server.client.validate({
      licenseKey: world.license.key,
      client: { ...clientOf(world.product.code), hostname: " host\n" },
    });
    expect(answer.status).toBe(StatusCode.STATUS_CODE_VALID);
  });

  it("a NUL in session metadata (key or value): INVALID_ARGUMENT, no session", async () => {
    const before = await written();
    for (const metadata of [{ "k\u0000": "v" }, { k: "v\u0000" }]) {
      const refusal = await grpcRefusal(
        server.client.activate({
          licenseKey: world.license.key,
          client: clientOf(world.product.code),
          metadata,
        }),
      );
      expect(refusal.code).toBe("INVALID_ARGUMENT");
      expect(refusal.fields.map((f) => f.path.split(".")[0])).toContain("metadata");
      const rest = await restRefusal("activate", {
        licenseKey: world.license.key,
        client: clientOf(world.product.code),
        metadata,
      });
      expect(rest).toMatchObject({ status: 400, code: "INVALID_ARGUMENT" });
    }
    expect(await written()).toEqual(before);
  });

  it("a NUL in RecordUsage's feature code or idempotency key: INVALID_ARGUMENT naming it, nothing counted", async () => {
    const client = clientOf(world.product.code);
    const usage = {
      licenseKey: world.license.key,
      client,
      featureCode: "api-calls",
      amount: 1,
      sessionId: "",
    };
    const before = await written();
    for (const [path, request] of [
      ["idempotencyKey", { ...usage, idempotencyKey: "k\u0000" }],
      ["featureCode", { ...usage, featureCode: "api-calls\u0000", idempotencyKey: "k2" }],
    ] as const) {
      const refusal = await grpcRefusal(server.client.recordUsage(request));
      expect(refusal).toEqual({
        code: "INVALID_ARGUMENT",
        fields: [{ path: protoPath(path), message: CONTROL }],
      });
      const rest = await restRefusal("record-usage", request);
      expect(rest).toMatchObject({
        status: 400,
        code: "INVALID_ARGUMENT",
        fields: [{ path, message: CONTROL }],
      });
    }
    expect(await written()).toEqual(before);
  });

  it("a NUL in StartTrial's email: INVALID_ARGUMENT naming it, no trial", async () => {
    const trial = await makeTrialProduct(db);
    const before = await written();
    const refusal = await grpcRefusal(
      server.client.startTrial({ client: clientOf(trial.product.code), email: "a\u0000b@example.com" }),
    );
    expect(refusal.code).toBe("INVALID_ARGUMENT");
    expect(refusal.fields.map((f) => f.path)).toEqual(["email"]);
    expect(await written()).toEqual(before);
  });

  it("REST: client.components that is not a list of objects is a 400 naming it, not 'no components'", async () => {
    const trial = await makeTrialProduct(db, { machineMatching: "any" });
    const before = await written();
    const client = { ...clientOf(trial.product.code), components: undefined };
    for (const [components, path, message] of [
      [{ kind: "board", hash: "b1" }, "client.components", "must be a list"],
      [{ 0: { kind: "board", hash: "b1" } }, "client.components", "must be a list"],
      ["board", "client.components", "must be a list"],
      [["board"], "client.components.0", "must be an object"],
      [[null], "client.components.0", "must be an object"],
    ] as const) {
      for (const route of ["start-trial", "validate"]) {
        const rest = await restRefusal(route, {
          licenseKey: world.license.key,
          client: { ...client, components },
        });
        expect(rest).toEqual({ status: 400, code: "INVALID_ARGUMENT", fields: [{ path, message }] });
      }
    }
    const notAnObject = await restRefusal("validate", { licenseKey: world.license.key, client: "x" });
    expect(notAnObject).toEqual({
      status: 400,
      code: "INVALID_ARGUMENT",
      fields: [{ path: "client", message: "must be an object" }],
    });
    expect(await written()).toEqual(before);
    // the control: a list, and no components at all (null or absent), are read as before
    for (const components of [[{ kind: "board", hash: "b1" }], null, undefined]) {
      const response = await server.rest("start-trial", {
        client: { ...client, fingerprint: fingerprint(), components },
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
  });
});
