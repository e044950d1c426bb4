// Attack: an expired maintain_versions license asked with crafted client versions, through the
// real licensing API (gRPC on loopback and the REST twin), on both databases. Versions up to the
// highest released before the expiry (1.0.0) run; anything later, or not a semver version, is
// VERSION_NOT_COVERED — however it is spelled (a leading v or =, build metadata, prerelease tags,
// leading zeros, ranges, overlong numbers, control characters); a version longer than the field
// allows is INVALID_ARGUMENT, never INTERNAL. The grace token of a covered answer carries mxv.
import { afterAll, beforeAll, expect, it } from "vitest";
import { verifyGraceToken } from "../../sdk/src/grace-token.ts";
import { versionCovered } from "../../sdk/src/version-coverage.ts";
import { StatusCode, ValidateResponse } from "../../src/generated/proto/license/v1/license.ts";
import { createLicense } from "../../src/server/core/licenses/create-license.ts";
import { publishRelease } from "../../src/server/core/releases/publish-release.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeCustomer, makeGroup, makeProduct } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const DAY = 86_400_000;
const statusName = (code: StatusCode) => StatusCode[code].replace("STATUS_CODE_", "");

const COVERED = ["1.0.0", "v1.0.0", "=1.0.0", " 1.0.0 ", "0.9.9", "0.0.0", "1.0.0-rc.1", "1.0.0+build.99"];
const NOT_COVERED = [
  "1.1.0",
  "v1.1.0",
  "=v1.1.0",
  "1.1.0+1.0.0",
  "1.1.0-0",
  "1.0.1",
  "1.0.1-0",
  "01.0.0",
  "1.0",
  "1",
  "1.0.0.0",
  "",
  "1.0.0 || 2.0.0",
  "<=1.0.0",
  "1.0.0 - 2.0.0",
  "^1.0.0",
  "~1.0.0",
  "1.0.x",
  "*",
  "1.0.0-",
  "9007199254740993.0.0",
  "\u0661.0.0",
  "１.0.0",
  "x".repeat(100),
];

describeEachDb(
  "issue 15 attacks: crafted client versions on an expired maintain_versions license",
  (getDb) => {
    let db: TestDb;
    let server: LicensingServer;
    let productCode: string;
    let key: string;
    const fp = fingerprint();

    beforeAll(async () => {
      db = getDb();
      db.clock.set(new Date("2026-06-01T12:00:00.000Z"));
      server = await startLicensingServer(db);
      const group = await makeGroup(db);
      const { product } = await makeProduct(db);
      productCode = product.code;
      const customer = await makeCustomer(db, group.id);
      const now = db.clock.now().getTime();
      await publishRelease(db.ctx(), {
        productId: product.id,
        version: "1.0.0",
        releasedAt: new Date(now - 100 * DAY).toISOString(),
      });
      await publishRelease(db.ctx(), {
        productId: product.id,
        version: "1.1.0",
        releasedAt: new Date(now + 10 * DAY).toISOString(),
      });
      const license = await createLicense(db.ctx(), {
        customerId: customer.id,
        productId: product.id,
        type: "node_locked",
        seatLimit: 1,
        expiryStrategy: "maintain_versions",
        expiresAt: new Date(now + 5 * DAY).toISOString(),
      });
      key = license.key;
      db.clock.advance(20 * DAY);
    });
    afterAll(async () => {
      await server.close();
    });

    const ask = (clientVersion: string) =>
      server.client.validate({
        licenseKey: key,
        client: { productCode, fingerprint: fp, clientVersion, hostname: "h", components: [] },
      });

    it("runs the versions up to the highest released before the expiry, with mxv in the token", async () => {
      const keys = await publicKeyring(db.handle.db);
      for (const version of COVERED) {
        const answer = await ask(version);
        expect(statusName(answer.status), `${JSON.stringify(version)}: ${answer.message}`).toBe("VALID");
        expect(answer.standing?.expired).toBe(true);
        const token = await verifyGraceToken(answer.graceToken, keys, {
          fingerprint: fp,
          now: db.clock.now(),
        });
        expect(token.valid).toBe(true);
        if (token.valid) expect(token.claims.mxv).toBe("1.0.0");
      }
    });

    it("refuses every later or malformed spelling, on gRPC and on the REST twin alike", async () => {
      for (const version of NOT_COVERED) {
        const answer = await ask(version);
        expect(statusName(answer.status), `${JSON.stringify(version)}: ${answer.message}`).toBe(
          "VERSION_NOT_COVERED",
        );
        expect(answer.graceToken).toBe("");
        // the SDK's grace tier judges the same way with the token's mxv
        expect(versionCovered(version, "1.0.0"), JSON.stringify(version)).toBe(false);
        const rest = await server.rest("validate", {
          licenseKey: key,
          client: { productCode, fingerprint: fp, clientVersion: version, hostname: "h" },
        });
        expect(rest.status, JSON.stringify(version)).toBe(200);
        expect(statusName(ValidateResponse.fromJSON(await rest.json()).status)).toBe("VERSION_NOT_COVERED");
      }
    });

    it("answers a version longer than the field allows with INVALID_ARGUMENT, not INTERNAL", async () => {
      const rest = await server.rest("validate", {
        licenseKey: key,
        client: { productCode, fingerprint: fp, clientVersion: `1.0.0-${"a".repeat(200)}`, hostname: "h" },
      });
      expect(rest.status).toBe(400);
      const body = (await rest.json()) as { code: string; fields: { path: string }[] };
      expect(body.code).toBe("INVALID_ARGUMENT");
      expect(body.fields.map((f) => f.path)).toContain("client.clientVersion");
    });

    it("answers a version with a NUL (a spelling of 1.0.0 with a tail) with INVALID_ARGUMENT, not a coverage", async () => {
      const rest = await server.rest("validate", {
        licenseKey: key,
        client: { productCode, fingerprint: fp, clientVersion: "1.0.0\u0000", hostname: "h" },
      });
      expect(rest.status).toBe(400);
      const body = (await rest.json()) as { code: string; fields: { path: string; message: string }[] };
      expect(body.code).toBe("INVALID_ARGUMENT");
      expect(body.fields).toContainEqual({
        path: "client.clientVersion",
        message: "must not contain control characters",
      });
    });
  },
);
