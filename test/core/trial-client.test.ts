// The SDK's side of trials (issue 15 item 3): LicenseClient.startTrial() against a real gRPC
// sidecar on both databases. A client made without a key starts the product's trial, gets a key
// that its own validations then use, keeps it in its cache (a new client on that machine picks it
// up), and a second start on the same machine is refused with a signed TRIAL_ALREADY_USED. A
// product without a trial answers TRIAL_NOT_AVAILABLE; an expired trial validates TRIAL_EXPIRED.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LicenseClient, type LicenseClientOptions } from "../../sdk/src/client/license-client.ts";
import type { PublicKeyEntry } from "../../sdk/src/grace-token.ts";
import { publicKeyring } from "../../src/server/core/signing-keys/public-keyring.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { makeWorld } from "../support/fixtures.ts";
import { fingerprint, startLicensingServer, type LicensingServer } from "../support/licensing.ts";
import { makeTrialProduct } from "../support/trials.ts";

const DAY = 86_400_000;

describeEachDb("LicenseClient.startTrial", (getDb) => {
  let db: TestDb;
  let server: LicensingServer;
  let keys: PublicKeyEntry[];
  const dirs: string[] = [];
  const clients: LicenseClient[] = [];

  beforeAll(async () => {
    db = getDb();
    server = await startLicensingServer(db);
    keys = (await publicKeyring(db.handle.db)).map(({ kid, publicKeyPem }) => ({ kid, publicKeyPem }));
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function client(product: string, extra: Partial<LicenseClientOptions>): LicenseClient {
    const made = new LicenseClient({
      licenseKey: "",
      product,
      publicKeys: keys,
      server: `127.0.0.1:${server.gateway.port}`,
      now: db.clock.now,
      requestTimeoutMs: 2000,
      components: false,
      ...extra,
    });
    clients.push(made);
    return made;
  }
  const cacheDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "ls-trial-client-"));
    dirs.push(dir);
    return dir;
  };

  it("starts the trial, validates with its key, keeps the key for the next client on the machine", async () => {
    const { product } = await makeTrialProduct(db);
    const fp = fingerprint();
    const dir = cacheDir();
    const t = db.clock.now();
    const first = client(product.code, { fingerprint: fp, cacheDir: dir });

    const started = await first.startTrial({ email: "tries@example.com" });
    expect(started).toMatchObject({ valid: true, status: "VALID", tier: "online" });
    expect(started.licenseKey).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/);
    expect(started.license).toMatchObject({ type: "node_locked", seatLimit: 1, trial: true });
    expect(started.license?.expiresAt).toEqual(new Date(t.getTime() + 14 * DAY));
    expect(started.entitlements.map((e) => e.featureCode).sort()).toEqual(["api-calls", "export-pdf"]);

    // the client now validates with the trial's key, online
    const validated = await first.validate();
    expect(validated).toMatchObject({ valid: true, status: "VALID", tier: "online" });
    await first.close();

    // a client made later on this machine without a key finds the trial's key in its cache
    const later = client(product.code, { fingerprint: fp, cacheDir: dir });
    expect(await later.validate()).toMatchObject({ valid: true, status: "VALID", tier: "online" });
    const row = await db.handle.db.license.findUniqueOrThrow({
      where: { key: started.licenseKey ?? "" },
      select: { trial: true, machines: { select: { fingerprint: true } } },
    });
    expect(row).toEqual({ trial: true, machines: [{ fingerprint: fp }] });
  });

  it("refuses a second trial on the machine with a signed TRIAL_ALREADY_USED and no key", async () => {
    const { product } = await makeTrialProduct(db);
    const fp = fingerprint();
    expect((await client(product.code, { fingerprint: fp, cacheDir: cacheDir() }).startTrial()).valid).toBe(
      true,
    );
    const trialsBefore = await db.handle.db.trial.count({ where: { productId: product.id } });

    // a fresh installation (new cache) on the same machine
    const again = await client(product.code, { fingerprint: fp, cacheDir: cacheDir() }).startTrial();
    expect(again).toMatchObject({
      valid: false,
      status: "TRIAL_ALREADY_USED",
      tier: "online",
      licenseKey: null,
    });
    expect(again.message).toContain(`the trial of ${product.code}`);
    expect(await db.handle.db.trial.count({ where: { productId: product.id } })).toBe(trialsBefore);
  });

  it("answers TRIAL_NOT_AVAILABLE for a product without a trial policy", async () => {
    const world = await makeWorld(db);
    const result = await client(world.product.code, {
      fingerprint: fingerprint(),
      cacheDir: cacheDir(),
    }).startTrial();
    expect(result).toMatchObject({ valid: false, status: "TRIAL_NOT_AVAILABLE", licenseKey: null });
    expect(await db.handle.db.trial.count({ where: { productId: world.product.id } })).toBe(0);
  });

  it("validates TRIAL_EXPIRED once the trial's days are over", async () => {
    const { product } = await makeTrialProduct(db, { durationDays: 3 });
    const trial = client(product.code, { fingerprint: fingerprint(), cacheDir: cacheDir() });
    expect((await trial.startTrial()).valid).toBe(true);
    db.clock.advance(3 * DAY + 60_000);
    expect(await trial.validate()).toMatchObject({ valid: false, status: "TRIAL_EXPIRED", tier: "online" });
  });
});
