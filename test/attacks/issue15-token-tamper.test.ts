// Attack: a grace token from the real licensing API (gRPC on loopback) edited by the machine's
// owner to outlive the required check-in or the maintain_versions coverage: the claims nci and mxv
// stripped or changed, exp pushed out, the algorithm set to none, the key id swapped. The
// signature covers every claim, so the SDK's verifier refuses each edit (BAD_SIGNATURE, MALFORMED
// or UNKNOWN_KEY), and the untouched token still ends at the check-in with OVERDUE.
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyGraceToken } from "../../sdk/src/grace-token.ts";
import { StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { publishRelease } from "../../src/server/core/releases/publish-release.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const DAY = 86_400_000;
const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

const decode = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/** The token with its claims (or header) edited, the signature kept. */
function edit(
  token: string,
  claims: (c: Record<string, unknown>) => Record<string, unknown>,
  header: (h: Record<string, unknown>) => Record<string, unknown> = (h) => h,
  signature?: string,
): string {
  const [h = "", p = "", s = ""] = token.split(".");
  return `${encode(header(decode(h)))}.${encode(claims(decode(p)))}.${signature ?? s}`;
}

describeEachDb("issue 15 attacks: edited grace tokens", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;

  beforeAll(async () => {
    db = getDb();
    db.clock.set(new Date("2026-06-01T12:00:00.000Z"));
    server = await startLicensingServer(db);
  });
  afterAll(async () => {
    await server.close();
  });

  async function editsRefused(token: string, fp: string, edits: [string, string][]) {
    const keys = await publicKeyring(db.handle.db);
    for (const [what, edited] of edits) {
      const result = await verifyGraceToken(edited, keys, { fingerprint: fp, now: db.clock.now() });
      expect(result.valid, what).toBe(false);
      if (!result.valid) expect(["BAD_SIGNATURE", "MALFORMED", "UNKNOWN_KEY"], what).toContain(result.reason);
    }
    // the token as issued verifies
    expect((await verifyGraceToken(token, keys, { fingerprint: fp, now: db.clock.now() })).valid).toBe(true);
  }

  it("nci stripped, moved or exp pushed out: refused; the real token is OVERDUE past the check-in", async () => {
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const license = await createLicense(db.ctx(), {
      customerId: customer.id,
      productId: product.id,
      type: "node_locked",
      seatLimit: 1,
      checkInIntervalDays: 2,
      gracePeriodHours: 48,
    });
    const fp = fingerprint();
    const answer = await server.client.validate({
      licenseKey: license.key,
      client: { productCode: product.code, fingerprint: fp, clientVersion: "", hostname: "", components: [] },
    });
    expect(statusName(answer.status)).toBe("VALID");
    const token = answer.graceToken;
    const claims = decode(token.split(".")[1] ?? "");
    expect(typeof claims.nci).toBe("number");
    const far = Math.floor(db.clock.now().getTime() / 1000) + 365 * 86_400;
    await editsRefused(token, fp, [
      ["nci stripped", edit(token, ({ nci: _n, ...c }) => c)],
      ["nci moved", edit(token, (c) => ({ ...c, nci: far }))],
      ["nci stripped and exp pushed", edit(token, ({ nci: _n, ...c }) => ({ ...c, exp: far }))],
      ["exs allow added", edit(token, (c) => ({ ...c, exs: "allow", lexp: null }))],
      [
        "alg none",
        edit(
          token,
          (c) => ({ ...c, exp: far }),
          (h) => ({ ...h, alg: "none" }),
          "",
        ),
      ],
      [
        "kid swapped",
        edit(
          token,
          (c) => c,
          (h) => ({ ...h, kid: "attacker" }),
        ),
      ],
      ["fingerprint claim swapped", edit(token, (c) => ({ ...c, fp: "another-machine" }))],
    ]);
    const keys = await publicKeyring(db.handle.db);
    db.clock.advance(2 * DAY + 60_000);
    const late = await verifyGraceToken(token, keys, { fingerprint: fp, now: db.clock.now() });
    expect(late).toMatchObject({ valid: false, reason: "OVERDUE" });
  });

  it("mxv stripped or raised on an expired maintain_versions license's token: refused", async () => {
    db.clock.set(new Date("2026-06-01T12:00:00.000Z"));
    const group = await makeGroup(db);
    const { product } = await makeProduct(db);
    const customer = await makeCustomer(db, group.id);
    const now = db.clock.now().getTime();
    await publishRelease(db.ctx(), {
      productId: product.id,
      version: "1.0.0",
      releasedAt: new Date(now - DAY).toISOString(),
    });
    const license = await createLicense(db.ctx(), {
      customerId: customer.id,
      productId: product.id,
      type: "node_locked",
      seatLimit: 1,
      expiryStrategy: "maintain_versions",
      expiresAt: new Date(now + DAY).toISOString(),
    });
    db.clock.advance(3 * DAY);
    const fp = fingerprint();
    const answer = await server.client.validate({
      licenseKey: license.key,
      client: {
        productCode: product.code,
        fingerprint: fp,
        clientVersion: "1.0.0",
        hostname: "",
        components: [],
      },
    });
    expect(statusName(answer.status), answer.message).toBe("VALID");
    const token = answer.graceToken;
    expect(decode(token.split(".")[1] ?? "").mxv).toBe("1.0.0");
    await editsRefused(token, fp, [
      ["mxv stripped", edit(token, ({ mxv: _m, ...c }) => c)],
      ["mxv raised", edit(token, (c) => ({ ...c, mxv: "99.0.0" }))],
      ["mxv stripped, exs restrict", edit(token, ({ mxv: _m, exs: _e, ...c }) => c)],
    ]);
  });
});
