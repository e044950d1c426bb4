// Expiry strategies through the licensing API (the gRPC sidecar, so the answers are the proto's,
// signed and verified), with the injected clock: a license expiring at T with releases 1.0.0
// (before T) and 2.0.0 (after T). restrict refuses after T, allow keeps working with
// Standing.expired, maintain_versions runs versions up to 1.0.0 (a later 1.0.5 is refused). Also:
// grace tokens past the expiry (claims exs/mxv, the SDK's grace tier), trials past their end and
// the first activation that starts a license's duration.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LicenseClient } from "../../sdk/src/client/license-client.ts";
import type { PublicKeyEntry } from "../../sdk/src/grace-token.ts";
import { StatusCode } from "../../src/generated/proto/license/v1/license.ts";
import type { ExpiryStrategy } from "../../src/server/core/licenses/select.ts";
import { publishRelease } from "../../src/server/core/releases/publish-release.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeLicense, makeProduct, makeWorld } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";

const DAY = 86_400_000;
const T = new Date("2026-07-01T00:00:00.000Z");
const BEFORE = new Date(T.getTime() - 10 * DAY);
const AFTER = new Date(T.getTime() + 31 * DAY);
const GRACE_HOURS = 72;
const S = StatusCode;

describeEachDb("expiry strategies", (getDb) => {
  let db: TestDb;
  let world: Awaited<ReturnType<typeof makeWorld>>;
  let server: LicensingServer;
  let keys: PublicKeyEntry[];
  const dirs: string[] = [];
  const sdkClients: LicenseClient[] = [];

  beforeAll(async () => {
    db = getDb();
    db.clock.set(new Date("2026-05-01T00:00:00.000Z"));
    world = await makeWorld(db);
    await publishRelease(db.ctx(), {
      productId: world.product.id,
      version: "1.0.0",
      releasedAt: new Date(T.getTime() - 30 * DAY),
    });
    await publishRelease(db.ctx(), {
      productId: world.product.id,
      version: "2.0.0",
      releasedAt: new Date(T.getTime() + 10 * DAY),
    });
    server = await startLicensingServer(db);
    keys = (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
  });
  afterAll(async () => {
    for (const client of sdkClients) await client.close().catch(() => undefined);
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A license expiring at T with this strategy (the term set on the row: policies set it too). */
  async function license(
    expiryStrategy: ExpiryStrategy,
    type: "node_locked" | "floating" = "node_locked",
    extra: { trial?: boolean; productId?: string } = {},
  ) {
    db.clock.set(new Date("2026-05-01T00:00:00.000Z"));
    const made = await makeLicense(db, world.customer.id, extra.productId ?? world.product.id, {
      type,
      seatLimit: 5,
      expiresAt: T,
      gracePeriodHours: GRACE_HOURS,
      entitlements: extra.productId ? [] : [{ featureId: world.features.exportPdf.id }],
    });
    await db.handle.db.license.update({
      where: { id: made.id },
      data: { expiryStrategy, trial: extra.trial ?? false },
    });
    return made;
  }
  const info = (clientVersion: string, fp = fingerprint(), productCode = world.product.code) => ({
    productCode,
    fingerprint: fp,
    clientVersion,
    hostname: "desk",
    components: [],
  });
  const validate = (key: string, clientVersion: string, fp?: string) =>
    server.client.validate({ licenseKey: key, client: info(clientVersion, fp) });
  const activate = (key: string, clientVersion: string, fp?: string) =>
    server.client.activate({ licenseKey: key, client: info(clientVersion, fp) });

  describe("before the expiry every version runs, whatever the strategy", () => {
    for (const strategy of ["restrict", "allow", "maintain_versions"] as const) {
      it(strategy, async () => {
        const { key } = await license(strategy);
        db.clock.set(BEFORE);
        for (const version of ["1.0.0", "2.0.0"]) {
          const answer = await validate(key, version);
          expect(answer.status, `${strategy} ${version}: ${answer.message}`).toBe(S.STATUS_CODE_VALID);
          expect(answer.standing?.expired ?? false).toBe(false);
        }
      });
    }
  });

  describe("after the expiry", () => {
    it("restrict: EXPIRED for both versions", async () => {
      const { key } = await license("restrict");
      db.clock.set(AFTER);
      for (const version of ["1.0.0", "2.0.0"]) {
        const answer = await validate(key, version);
        expect(answer.status).toBe(S.STATUS_CODE_EXPIRED);
        expect(answer.message).toBe(`the license expired on ${T.toISOString()}`);
        expect(answer.graceToken).toBe("");
      }
    });

    it("allow: VALID with Standing.expired for both versions, the message says when it expired", async () => {
      const { key } = await license("allow");
      db.clock.set(AFTER);
      for (const version of ["1.0.0", "2.0.0"]) {
        const answer = await validate(key, version);
        expect(answer.status).toBe(S.STATUS_CODE_VALID);
        expect(answer.standing?.expired).toBe(true);
        expect(answer.message).toContain(`expired on ${T.toISOString()}`);
        expect(answer.entitlements.length).toBeGreaterThan(0);
      }
    });

    it("maintain_versions: 1.0.0 and 0.9.0 VALID with Standing.expired; 1.0.5 and 2.0.0 VERSION_NOT_COVERED", async () => {
      const { key } = await license("maintain_versions");
      db.clock.set(AFTER);
      for (const version of ["1.0.0", "0.9.0", "v1.0.0"]) {
        const answer = await validate(key, version);
        expect(answer.status, `${version}: ${answer.message}`).toBe(S.STATUS_CODE_VALID);
        expect(answer.standing?.expired).toBe(true);
        expect(answer.message).toContain("still covered");
      }
      const later = await validate(key, "2.0.0");
      expect(later.status).toBe(S.STATUS_CODE_VERSION_NOT_COVERED);
      expect(later.message).toBe(
        `version 2.0.0 was released after this license expired on ${T.toISOString()} (it covers versions up to 1.0.0)`,
      );
      expect(later.graceToken).toBe("");
      expect(later.entitlements).toEqual([]);
      expect(later.standing).toBeUndefined();
      // versions never published, above the covered line (a later bug fix included)
      expect(await validate(key, "1.0.5")).toMatchObject({
        status: S.STATUS_CODE_VERSION_NOT_COVERED,
        message: `version 1.0.5 is not covered: this license expired on ${T.toISOString()} and covers versions up to 1.0.0`,
      });
      expect(await validate(key, "1.1.0")).toMatchObject({
        status: S.STATUS_CODE_VERSION_NOT_COVERED,
        message: `version 1.1.0 is not covered: this license expired on ${T.toISOString()} and covers versions up to 1.0.0`,
      });
    });

    it("maintain_versions: an empty or non-semver client version is VERSION_NOT_COVERED, saying why", async () => {
      const { key } = await license("maintain_versions");
      db.clock.set(AFTER);
      const rule = `after the license expired on ${T.toISOString()}, only versions released before then run`;
      expect(await validate(key, "")).toMatchObject({
        status: S.STATUS_CODE_VERSION_NOT_COVERED,
        message: `the client sent no client version: ${rule}`,
      });
      expect(await validate(key, "abc")).toMatchObject({
        status: S.STATUS_CODE_VERSION_NOT_COVERED,
        message: `client version "abc" is not a semver version: ${rule}`,
      });
    });

    it("maintain_versions with no release before the expiry: VERSION_NOT_COVERED naming the product", async () => {
      const { product } = await makeProduct(db);
      const { key } = await license("maintain_versions", "node_locked", { productId: product.id });
      await publishRelease(db.ctx(), {
        productId: product.id,
        version: "1.0.0",
        releasedAt: new Date(T.getTime() + DAY),
      });
      db.clock.set(AFTER);
      const answer = await server.client.validate({
        licenseKey: key,
        client: info("1.0.0", fingerprint(), product.code),
      });
      expect(answer.status).toBe(S.STATUS_CODE_VERSION_NOT_COVERED);
      expect(answer.message).toBe(
        `no release of ${product.code} was published before the license expired on ${T.toISOString()}`,
      );
    });

    it("suspended and revoked licenses stay refused whatever the strategy", async () => {
      for (const strategy of ["allow", "maintain_versions"] as const) {
        const suspended = await license(strategy);
        const revoked = await license(strategy);
        await db.handle.db.license.update({ where: { id: suspended.id }, data: { status: "suspended" } });
        await db.handle.db.license.update({ where: { id: revoked.id }, data: { status: "revoked" } });
        db.clock.set(AFTER);
        expect((await validate(suspended.key, "1.0.0")).status).toBe(S.STATUS_CODE_SUSPENDED);
        expect((await validate(revoked.key, "1.0.0")).status).toBe(S.STATUS_CODE_REVOKED);
      }
    });

    it("a trial license past its end is TRIAL_EXPIRED, whatever the strategy", async () => {
      for (const strategy of ["restrict", "allow", "maintain_versions"] as const) {
        const { key } = await license(strategy, "node_locked", { trial: true });
        db.clock.set(AFTER);
        const answer = await validate(key, "1.0.0");
        expect(answer.status, strategy).toBe(S.STATUS_CODE_TRIAL_EXPIRED);
        expect(answer.message).toBe(`the trial ended on ${T.toISOString()}`);
        expect((await activate(key, "1.0.0")).status).toBe(S.STATUS_CODE_TRIAL_EXPIRED);
      }
    });
  });

  describe("through Activate and Heartbeat (floating)", () => {
    it("restrict EXPIRED; allow VALID + expired; maintain_versions by version", async () => {
      const restrict = await license("restrict", "floating");
      const allow = await license("allow", "floating");
      const maintain = await license("maintain_versions", "floating");
      db.clock.set(AFTER);
      expect((await activate(restrict.key, "1.0.0")).status).toBe(S.STATUS_CODE_EXPIRED);

      const allowed = await activate(allow.key, "2.0.0");
      expect(allowed.status).toBe(S.STATUS_CODE_VALID);
      expect(allowed.standing?.expired).toBe(true);
      expect(allowed.message).toContain(`expired on ${T.toISOString()}`);

      expect((await activate(maintain.key, "2.0.0")).status).toBe(S.STATUS_CODE_VERSION_NOT_COVERED);
      const fp = fingerprint();
      const seat = await activate(maintain.key, "0.9.0", fp);
      expect(seat.status).toBe(S.STATUS_CODE_VALID);
      expect(seat.standing?.expired).toBe(true);
      const beat = await server.client.heartbeat({
        licenseKey: maintain.key,
        client: info("0.9.0", fp),
        sessionId: seat.sessionId,
      });
      expect(beat.status).toBe(S.STATUS_CODE_VALID);
      expect(beat.standing?.expired).toBe(true);
      expect(decodeJwt(beat.graceToken)).toMatchObject({ exs: "maintain_versions", mxv: "1.0.0" });
    });
  });

  describe("grace tokens", () => {
    const claims = (token: string) =>
      decodeJwt(token) as { exp: number; iat: number; exs?: string; mxv?: string };

    it("restrict and maintain_versions before the expiry: capped at it; allow: the full grace period", async () => {
      const near = new Date(T.getTime() - DAY); // a day before T, the grace period is 3 days
      for (const [strategy, exp] of [
        ["restrict", T],
        ["maintain_versions", T],
        ["allow", new Date(near.getTime() + GRACE_HOURS * 3_600_000)],
      ] as const) {
        const { key } = await license(strategy);
        db.clock.set(near);
        const answer = await validate(key, "1.0.0");
        expect(answer.graceTokenExpiresAt, strategy).toEqual(exp);
        expect(claims(answer.graceToken).mxv).toBeUndefined();
        expect(claims(answer.graceToken).exs).toBe(strategy === "restrict" ? undefined : strategy);
      }
    });

    it("past the expiry: allow and maintain_versions run the grace period; maintain_versions names the covered version", async () => {
      const allow = await license("allow");
      const maintain = await license("maintain_versions");
      db.clock.set(AFTER);
      const full = new Date(AFTER.getTime() + GRACE_HOURS * 3_600_000);
      const a = await validate(allow.key, "2.0.0");
      expect(a.graceTokenExpiresAt).toEqual(full);
      expect(claims(a.graceToken)).toMatchObject({ exs: "allow" });
      expect(claims(a.graceToken).mxv).toBeUndefined();
      const m = await validate(maintain.key, "1.0.0");
      expect(m.graceTokenExpiresAt).toEqual(full);
      expect(claims(m.graceToken)).toMatchObject({ exs: "maintain_versions", mxv: "1.0.0" });
    });

    it("the SDK's grace tier refuses a client version above the token's mxv with VERSION_NOT_COVERED", async () => {
      const { key } = await license("maintain_versions");
      db.clock.set(AFTER);
      const fp = fingerprint();
      const dir = mkdtempSync(join(tmpdir(), "ls-expiry-"));
      dirs.push(dir);
      const sdk = (clientVersion: string, address: string) => {
        const client = new LicenseClient({
          licenseKey: key,
          product: world.product.code,
          publicKeys: keys,
          now: db.clock.now,
          requestTimeoutMs: 1000,
          reconnect: { initialDelayMs: 100, maxDelayMs: 200 },
          server: address,
          fingerprint: fp,
          cacheDir: dir,
          clientVersion,
        });
        sdkClients.push(client);
        return client;
      };
      const online = sdk("1.0.0", `127.0.0.1:${server.gateway.port}`);
      expect(await online.validate()).toMatchObject({ valid: true, tier: "online" });
      await online.close();

      db.clock.advance(3_600_000);
      // the server is gone: the same machine and cache, nothing listening
      const covered = sdk("0.9.2", "127.0.0.1:1");
      expect(await covered.validate()).toMatchObject({ valid: true, status: "VALID", tier: "grace" });
      await covered.close();
      const upgraded = sdk("2.0.0", "127.0.0.1:1");
      const refused = await upgraded.validate();
      expect(refused).toMatchObject({ valid: false, status: "VERSION_NOT_COVERED", tier: "none" });
      expect(refused.message).toContain("covers versions up to 1.0.0");
      expect(refused.message).toContain("version 2.0.0");
    });
  });

  describe("first activation", () => {
    it("sets activatedAt once, and the expiry of a duration from first activation, under 20 concurrent validations", async () => {
      db.clock.set(new Date("2026-05-01T00:00:00.000Z"));
      const made = await makeLicense(db, world.customer.id, world.product.id, { type: "floating" });
      await db.handle.db.license.update({
        where: { id: made.id },
        data: { durationFrom: "first_activation", durationDays: 30, expiresAt: null, activatedAt: null },
      });
      const now = new Date("2026-05-10T08:00:00.000Z");
      db.clock.set(now);
      const answers = await Promise.all(Array.from({ length: 20 }, () => validate(made.key, "1.0.0")));
      const expiresAt = new Date(now.getTime() + 30 * DAY);
      for (const answer of answers) {
        expect(answer.status, answer.message).toBe(S.STATUS_CODE_VALID);
        expect(answer.license?.expiresAt).toEqual(expiresAt);
      }
      const stored = await db.handle.db.license.findUniqueOrThrow({
        where: { id: made.id },
        select: { activatedAt: true, expiresAt: true },
      });
      expect(stored).toEqual({ activatedAt: now, expiresAt });
      const events = await db.handle.db.auditEvent.findMany({
        where: { action: "license.activate", targetId: made.id },
        select: { summary: true },
      });
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]?.summary ?? "{}")).toMatchObject({
        activatedAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        durationDays: 30,
      });
      // later validations read it from the license: no write, no event
      db.clock.set(new Date(now.getTime() + DAY));
      expect((await validate(made.key, "1.0.0")).license?.expiresAt).toEqual(expiresAt);
      expect(
        await db.handle.db.auditEvent.count({ where: { action: "license.activate", targetId: made.id } }),
      ).toBe(1);
      // and the duration runs out like any expiry
      db.clock.set(new Date(expiresAt.getTime() + 1000));
      expect((await validate(made.key, "1.0.0")).status).toBe(S.STATUS_CODE_EXPIRED);
    });

    it("Activate activates too; a license with its own expiry keeps it; a refused call activates nothing", async () => {
      db.clock.set(new Date("2026-05-01T00:00:00.000Z"));
      const made = await makeLicense(db, world.customer.id, world.product.id, {
        type: "floating",
        expiresAt: T,
      });
      await db.handle.db.license.update({
        where: { id: made.id },
        data: { durationFrom: "first_activation", durationDays: 30 },
      });
      const wrong = await server.client.activate({
        licenseKey: made.key,
        client: info("1.0.0", fingerprint(), "other-product"),
      });
      expect(wrong.status).toBe(S.STATUS_CODE_PRODUCT_MISMATCH);
      const stored = () =>
        db.handle.db.license.findUniqueOrThrow({
          where: { id: made.id },
          select: { activatedAt: true, expiresAt: true },
        });
      expect((await stored()).activatedAt).toBeNull();
      const seat = await activate(made.key, "1.0.0");
      expect(seat.status).toBe(S.STATUS_CODE_VALID);
      expect(seat.license?.expiresAt).toEqual(T);
      expect(await stored()).toEqual({ activatedAt: db.clock.now(), expiresAt: T });
    });
  });
});
