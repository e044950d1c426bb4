// Malformed protobuf and out-of-range int64s at the wire: a raw client sends bytes the generated
// decoders refuse (garbage, truncated fields, amounts of ±(2^63−1)). Each answer is
// INVALID_ARGUMENT with a BadRequest naming the field where the bytes show it, never INTERNAL,
// and nothing is written. The REST twin's JSON: huge, negative and fractional amounts are 400s
// naming `amount`.
import { randomBytes } from "node:crypto";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { createChannel, createClientFactory, Status, type Channel } from "nice-grpc";
import { BadRequest, errorDetailsClientMiddleware, RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ActivateRequest,
  type ClientInfo,
  RecordUsageRequest,
  ValidateRequest,
} from "../../src/generated/proto/license/v1/license.ts";
import { requestFromJson } from "../../src/server/licensing-api/request-json.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeWorld } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const raw = (bytes: Uint8Array) => bytes;
const rawMethod = (name: string) => ({
  path: `/license.v1.LicenseService/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
  options: {},
});
/** The licensing service with bytes in and bytes out: the client encodes nothing itself. */
const RawLicenseService = {
  recordUsage: rawMethod("RecordUsage"),
  activate: rawMethod("Activate"),
} as const;

const INT64_MAX = "9223372036854775807";
const INT64_MIN_PLUS_ONE = "-9223372036854775807";

describeEachDb("bad bytes on the licensing API", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let channel: Channel;
  let rawClient: {
    recordUsage(b: Uint8Array): Promise<Uint8Array>;
    activate(b: Uint8Array): Promise<Uint8Array>;
  };
  let world: Awaited<ReturnType<typeof makeWorld>>;

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
    world = await makeWorld(db);
    channel = createChannel(`127.0.0.1:${server.gateway.port}`);
    rawClient = createClientFactory().use(errorDetailsClientMiddleware).create(RawLicenseService, channel);
  });
  afterAll(async () => {
    channel.close();
    await server.close();
  });

  const client = (): ClientInfo => ({
    productCode: world.product.code,
    fingerprint: fingerprint(),
    clientVersion: "1.0.0",
    hostname: "host",
    components: [],
  });
  /** A well-formed RecordUsage request, without its amount: callers append one. */
  const usage = () =>
    RecordUsageRequest.encode(
      RecordUsageRequest.fromPartial({
        licenseKey: world.license.key,
        client: client(),
        featureCode: "api-calls",
        idempotencyKey: `k-${randomBytes(6).toString("hex")}`,
        nonce: randomBytes(16),
      }),
    );
  const withAmount = (amount: string) => usage().uint32(32).int64(amount).finish();

  const written = async () => ({
    usage: await db.handle.db.usageRecord.count(),
    sessions: await db.handle.db.session.count(),
    audit: await db.handle.db.auditEvent.count(),
  });

  /** The call's error: INVALID_ARGUMENT, with its BadRequest's field names. */
  async function refusal(call: Promise<unknown>) {
    const error = await call.then(
      () => {
        throw new Error("the call succeeded");
      },
      (e: unknown) => e,
    );
    if (!(error instanceof RichClientError)) throw error;
    const fields = error.extra
      .filter((d): d is BadRequest => d.$type === BadRequest.$type)
      .flatMap((d) => d.fieldViolations.map((v) => v.field));
    return { code: Status[error.code], message: error.details, fields };
  }

  it("a well-formed request through the same raw client is recorded (the control)", async () => {
    const before = await written();
    const answer = await rawClient.recordUsage(withAmount("5"));
    expect(answer.length).toBeGreaterThan(0);
    expect((await written()).usage).toBe(before.usage + 1);
  });

  it("amounts of ±(2^63−1) and 2^53 answer INVALID_ARGUMENT on `amount`, nothing written", async () => {
    const before = await written();
    for (const amount of [INT64_MAX, INT64_MIN_PLUS_ONE, "9007199254740992", "-9007199254740992"]) {
      const answer = await refusal(rawClient.recordUsage(withAmount(amount)));
      expect(answer, amount).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["amount"] });
      expect(answer.message).toMatch(/^amount is out of range/);
    }
    expect(await written()).toEqual(before);
  });

  it("an amount that decodes but is beyond the domain's bound (2^53−1, −5, 0) is refused on `amount`", async () => {
    const before = await written();
    const answers = {
      max: await refusal(rawClient.recordUsage(withAmount("9007199254740991"))),
      negative: await refusal(rawClient.recordUsage(withAmount("-5"))),
      zero: await refusal(rawClient.recordUsage(usage().finish())),
    };
    expect(answers.max).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["amount"] });
    expect(answers.max.message).toMatch(/at most 1,000,000,000 units/);
    expect(answers.negative).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["amount"] });
    expect(answers.zero).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["amount"] });
    expect(await written()).toEqual(before);
  });

  it("malformed bytes answer INVALID_ARGUMENT, naming the field when the bytes show it", async () => {
    const before = await written();
    const good = withAmount("5");
    // license_key (field 1) says 200 bytes follow; 3 do
    const truncatedKey = new Uint8Array([0x0a, 0xc8, 0x01, 0x61, 0x62, 0x63]);
    // client (field 2) holds product_code (field 1) cut short
    const inner = new BinaryWriter()
      .uint32(10)
      .uint32(50)
      .raw(new Uint8Array([0x61, 0x62]))
      .finish();
    const truncatedClient = new BinaryWriter().uint32(18).bytes(inner).finish();
    // a tag with the illegal wire type 7, and bytes that are no varint at all
    const illegalWire = new Uint8Array([...good, 0x0f]);
    const garbage = new Uint8Array(12).fill(0xff);

    const answers = {
      truncatedKey: await refusal(rawClient.recordUsage(truncatedKey)),
      truncatedClient: await refusal(rawClient.recordUsage(truncatedClient)),
      cutInHalf: await refusal(rawClient.recordUsage(good.subarray(0, good.length - 3))),
      illegalWire: await refusal(rawClient.recordUsage(illegalWire)),
      garbage: await refusal(rawClient.recordUsage(garbage)),
    };
    expect(answers.truncatedKey).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["license_key"] });
    expect(answers.truncatedClient).toMatchObject({
      code: "INVALID_ARGUMENT",
      fields: ["client.product_code"],
    });
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.code, name).toBe("INVALID_ARGUMENT");
      expect(answer.message, name).not.toMatch(/internal/i);
    }
    expect(answers.garbage.message).toMatch(/not a valid license\.v1\.RecordUsageRequest/);
    expect(await written()).toEqual(before);
  });

  it("a malformed map entry in Activate's metadata is refused on `metadata`, no seat taken", async () => {
    const before = await written();
    const request = ActivateRequest.encode(
      ActivateRequest.fromPartial({
        licenseKey: world.license.key,
        client: client(),
        nonce: randomBytes(16),
      }),
    )
      .uint32(26)
      .bytes(new Uint8Array([0x0a, 0x09, 0x61]))
      .finish();
    const answer = await refusal(rawClient.activate(request));
    expect(answer).toMatchObject({ code: "INVALID_ARGUMENT", fields: ["metadata"] });
    expect(await written()).toEqual(before);
  });

  it("the REST twin: huge, negative, fractional and non-numeric amounts are 400 naming `amount`", async () => {
    const before = await written();
    const body = (amount: string) =>
      `{"licenseKey":${JSON.stringify(world.license.key)},"client":${JSON.stringify(client())},` +
      `"featureCode":"api-calls","idempotencyKey":"k-${randomBytes(6).toString("hex")}",` +
      `"nonce":"${randomBytes(16).toString("base64")}","amount":${amount}}`;
    for (const amount of [
      `"${INT64_MAX}"`,
      INT64_MAX,
      `"${INT64_MIN_PLUS_ONE}"`,
      INT64_MIN_PLUS_ONE,
      "1e30",
      "1.5",
      "0",
      "-5",
      `"abc"`,
      "1000000001",
    ]) {
      const response = await server.rest("record-usage", undefined, { raw: body(amount) });
      expect(response.status, amount).toBe(400);
      const json = (await response.json()) as { code: string; fields: { path: string }[] };
      expect(json.code, amount).toBe("INVALID_ARGUMENT");
      // one issue or two (a huge number is neither safe nor under the bound), all on `amount`
      expect(new Set(json.fields.map((f) => f.path)), amount).toEqual(new Set(["amount"]));
    }
    expect(await written()).toEqual(before);
  });

  it("requestFromJson: a field fromJSON cannot take (a numeric nonce) is INVALID_ARGUMENT naming it", () => {
    expect(() => ValidateRequest.fromJSON({ nonce: 12345 })).toThrow(); // what the REST twin met
    const error = (() => {
      try {
        requestFromJson(ValidateRequest, { licenseKey: "k", nonce: 12345 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT", fields: [{ path: "nonce" }] });
    expect(requestFromJson(ValidateRequest, { licenseKey: "k" }).licenseKey).toBe("k");
  });

  // the REST handler (src/server/licensing-api/rest.ts) decodes bodies with requestFromJson
  it("the REST twin: a field of the wrong JSON type (a numeric nonce) is 400 naming it", async () => {
    const response = await server.rest("validate", {
      licenseKey: world.license.key,
      client: client(),
      nonce: 12345,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_ARGUMENT", fields: [{ path: "nonce" }] });
  });
});
