// Offline license files: the SDK's writer and verifier, an independent verifier written from the
// spec (sdk/docs/license-file-v1.md) with node:crypto only, and the spec's own test vectors.
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { PublicKeyEntry } from "../../sdk/src/grace-token.ts";
import { createLicenseFile, verifyLicenseFile, type LicenseFileContent } from "../../sdk/src/license-file.ts";
import {
  EXAMPLE_FINGERPRINT,
  EXAMPLE_KID,
  EXAMPLE_LICENSE_KEY,
  EXAMPLE_NOW,
  EXAMPLES_END,
  EXAMPLES_START,
  renderExamples,
  SPEC_PATH,
} from "../../sdk/scripts/license-file-examples.ts";
import { independentVerify } from "../support/license-file-verifier.ts";

const DAY = 86_400_000;
const LICENSE_KEY = "7K3QD-M9XWB-0A1ZZ-TTTTT-00000";
const ISSUED = new Date("2026-06-01T12:00:00.000Z");
const NOW = new Date(ISSUED.getTime() + DAY);

// --- fixtures ----------------------------------------------------------------------------------

function content(extra: Partial<LicenseFileContent> = {}): LicenseFileContent {
  return {
    id: "file-1",
    issuedAt: ISSUED.toISOString(),
    notBefore: ISSUED.toISOString(),
    expiresAt: new Date(ISSUED.getTime() + 30 * DAY).toISOString(),
    fingerprint: "machine-a",
    license: {
      id: "lic-1",
      keyHash: createHash("sha256").update(LICENSE_KEY).digest("hex"),
      type: "node_locked",
      seats: 2,
      startsAt: "2026-01-01T00:00:00.000Z",
      expiresAt: null,
    },
    customer: { id: "cus-1", name: "Müller & Söhne GmbH" },
    product: { id: "prd-1", code: "acme-cad", name: "Acme CAD" },
    entitlements: [
      {
        code: "export-pdf",
        name: "Export PDF",
        kind: "boolean",
        unit: null,
        quota: null,
        quotaPeriod: "total",
      },
      {
        code: "api-calls",
        name: "API calls",
        kind: "metered",
        unit: "calls",
        quota: 1000,
        quotaPeriod: "day",
      },
    ],
    ...extra,
  };
}

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  pem: string;
}

function newKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { kid, privateKey, pem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

const ring = (...keys: TestKey[]): PublicKeyEntry[] => keys.map((k) => ({ kid: k.kid, publicKeyPem: k.pem }));
const pems = (...keys: TestKey[]) => Object.fromEntries(keys.map((k) => [k.kid, k.pem]));

function issue(key: TestKey, payload = content(), encrypt = false): Promise<string> {
  return createLicenseFile({ payload, kid: key.kid, sign: (m) => sign(null, m, key.privateKey), encrypt });
}

/** Every file that differs from `text` in one byte: each bit flipped, and CR, LF, space, "A" put in. */
function* singleByteChanges(text: string): Generator<{ index: number; changed: string }> {
  const bytes = Buffer.from(text, "utf8");
  const decoder = new TextDecoder("utf-8");
  for (let index = 0; index < bytes.length; index++) {
    const original = bytes[index] ?? 0;
    const values = new Set([1, 2, 4, 8, 16, 32, 64, 128].map((bit) => original ^ bit));
    for (const value of [0x0d, 0x0a, 0x20, 0x41]) if (value !== original) values.add(value);
    for (const value of values) {
      const copy = Buffer.from(bytes);
      copy[index] = value;
      yield { index, changed: decoder.decode(copy) };
    }
  }
}

// --- tests -------------------------------------------------------------------------------------

describe("license files", () => {
  const key = newKey("key-1");
  let plain: string;
  let encrypted: string;

  beforeAll(async () => {
    plain = await issue(key);
    encrypted = await issue(key, content(), true);
  });

  it("round-trip: armored text that the SDK and an independent verifier both accept", async () => {
    expect(plain.startsWith("-----BEGIN LICENSE FILE-----\n")).toBe(true);
    expect(plain.endsWith("\n-----END LICENSE FILE-----\n")).toBe(true);
    const body = plain.split("\n").slice(1, -2);
    for (const line of body.slice(0, -1)) expect(line.length).toBe(64);
    expect(body.at(-1)?.length).toBeLessThanOrEqual(64);

    const result = await verifyLicenseFile(plain, ring(key), { fingerprint: "machine-a", now: NOW });
    expect(result).toMatchObject({ valid: true, kid: "key-1", encrypted: false });
    if (!result.valid) throw new Error(result.reason);
    expect(result.payload).toEqual({ v: 1, kid: "key-1", ...content() });
    expect(result.expiresAt).toEqual(new Date(ISSUED.getTime() + 30 * DAY));

    const independent = independentVerify(plain, pems(key), { now: NOW, fingerprint: "machine-a" });
    expect(independent).toEqual({ ok: true, payload: result.payload });
  });

  it("encrypts for the bound machine: contents unreadable without its fingerprint", async () => {
    const result = await verifyLicenseFile(encrypted, ring(key), { fingerprint: "machine-a", now: NOW });
    expect(result).toMatchObject({ valid: true, encrypted: true });
    if (!result.valid) throw new Error(result.reason);
    expect(result.payload.customer.name).toBe("Müller & Söhne GmbH");
    expect(independentVerify(encrypted, pems(key), { now: NOW, fingerprint: "machine-a" })).toMatchObject({
      ok: true,
      payload: { customer: { name: "Müller & Söhne GmbH" } },
    });
    const envelope = Buffer.from(encrypted.split("\n").slice(1, -2).join(""), "base64").toString();
    expect(envelope).toContain('"enc":"aes-256-gcm"');
    const inner = Buffer.from((JSON.parse(envelope) as { payload: string }).payload, "base64").toString();
    expect(inner).not.toContain("acme-cad");
    // a fresh salt and IV for every file
    expect(await issue(key, content(), true)).not.toBe(encrypted);

    expect(await verifyLicenseFile(encrypted, ring(key), { fingerprint: "machine-b", now: NOW })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });
    expect(await verifyLicenseFile(encrypted, ring(key), { now: NOW })).toEqual({
      valid: false,
      reason: "FINGERPRINT_REQUIRED",
    });
    expect(independentVerify(encrypted, pems(key), { now: NOW, fingerprint: "machine-b" }).ok).toBe(false);
    expect(independentVerify(encrypted, pems(key), { now: NOW }).ok).toBe(false);
  });

  it("refuses to encrypt an unbound file or to use a bad key id", async () => {
    await expect(issue(key, content({ fingerprint: null }), true)).rejects.toThrow(/bound/);
    await expect(issue(newKey("bad kid"))).rejects.toThrow(/kid/);
    await expect(
      createLicenseFile({ payload: content(), kid: "k", sign: () => new Uint8Array(10) }),
    ).rejects.toThrow(/64 bytes/);
  });

  it("rejects a file with any single byte changed (SDK and independent verifier)", async () => {
    for (const file of [plain, encrypted]) {
      let tried = 0;
      for (const { index, changed } of singleByteChanges(file)) {
        tried++;
        const result = await verifyLicenseFile(changed, ring(key), { fingerprint: "machine-a", now: NOW });
        expect(result.valid, `byte ${index} changed: ${JSON.stringify(result)}`).toBe(false);
        expect(
          independentVerify(changed, pems(key), { now: NOW, fingerprint: "machine-a" }).ok,
          `independent, byte ${index}`,
        ).toBe(false);
      }
      expect(tried).toBeGreaterThan(file.length * 8);
    }
  });

  it("accepts the file with CRLF line endings or without its last line ending, nothing else", async () => {
    const options = { fingerprint: "machine-a", now: NOW };
    const crlf = plain.replace(/\n/g, "\r\n");
    for (const variant of [plain.slice(0, -1), crlf, crlf.slice(0, -2)]) {
      expect((await verifyLicenseFile(variant, ring(key), options)).valid).toBe(true);
      expect(independentVerify(variant, pems(key), options).ok).toBe(true);
    }
    const lines = plain.split("\n");
    const mixed = `${lines[0] ?? ""}\r\n${lines.slice(1).join("\n")}`;
    for (const variant of [
      `${plain}\n`,
      ` ${plain}`,
      `\uFEFF${plain}`,
      mixed,
      plain.replace(/\n/g, "\n\n"),
    ]) {
      expect(await verifyLicenseFile(variant, ring(key), options)).toEqual({
        valid: false,
        reason: "MALFORMED",
      });
    }
    const body = lines.slice(1, -2).join("");
    const rewrapped = `${lines[0] ?? ""}\n${(body.match(/.{1,76}/g) ?? []).join("\n")}\n${lines.at(-2) ?? ""}\n`;
    expect(await verifyLicenseFile(rewrapped, ring(key), options)).toEqual({
      valid: false,
      reason: "MALFORMED",
    });
  });

  it("rejects expired, not yet valid, other machines, missing fingerprints and unknown keys", async () => {
    const at = (now: Date, fingerprint: string | null = "machine-a") =>
      verifyLicenseFile(plain, ring(key), { now, ...(fingerprint === null ? {} : { fingerprint }) });
    const expiresAt = new Date(ISSUED.getTime() + 30 * DAY);
    expect((await at(new Date(expiresAt.getTime() - 1))).valid).toBe(true);
    expect(await at(expiresAt)).toEqual({ valid: false, reason: "EXPIRED" });
    expect(await at(new Date(ISSUED.getTime() - 299_000))).toMatchObject({ valid: true });
    expect(await at(new Date(ISSUED.getTime() - 301_000))).toEqual({ valid: false, reason: "NOT_YET_VALID" });
    expect(await at(NOW, "machine-b")).toEqual({ valid: false, reason: "FINGERPRINT_MISMATCH" });
    expect(await at(NOW, "machine-a ")).toEqual({ valid: false, reason: "FINGERPRINT_MISMATCH" });
    expect(await at(NOW, null)).toEqual({ valid: false, reason: "FINGERPRINT_REQUIRED" });
    expect(independentVerify(plain, pems(key), { now: expiresAt, fingerprint: "machine-a" })).toEqual({
      ok: false,
      why: "expired",
    });
    expect(independentVerify(plain, pems(key), { now: NOW, fingerprint: "machine-b" }).ok).toBe(false);

    const later = await issue(
      key,
      content({ notBefore: new Date(ISSUED.getTime() + 10 * DAY).toISOString() }),
    );
    expect(await verifyLicenseFile(later, ring(key), { fingerprint: "machine-a", now: NOW })).toEqual({
      valid: false,
      reason: "NOT_YET_VALID",
    });

    const other = newKey("key-2");
    expect(await verifyLicenseFile(plain, ring(other), { fingerprint: "machine-a", now: NOW })).toEqual({
      valid: false,
      reason: "UNKNOWN_KEY",
    });
    expect(await verifyLicenseFile(plain, [], { fingerprint: "machine-a", now: NOW })).toEqual({
      valid: false,
      reason: "UNKNOWN_KEY",
    });
    // the right key id with another key: someone else signed it
    const impostor = [{ kid: "key-1", publicKeyPem: other.pem }];
    expect(await verifyLicenseFile(plain, impostor, { fingerprint: "machine-a", now: NOW })).toEqual({
      valid: false,
      reason: "BAD_SIGNATURE",
    });
    expect(independentVerify(plain, { "key-1": other.pem }, { now: NOW, fingerprint: "machine-a" }).ok).toBe(
      false,
    );
    // a keyring with several keys finds the file's
    expect(
      (await verifyLicenseFile(plain, ring(other, key), { fingerprint: "machine-a", now: NOW })).valid,
    ).toBe(true);
  });

  it("an unbound file is valid on any machine; license key and product are checked when given", async () => {
    const unbound = await issue(key, content({ fingerprint: null }));
    expect((await verifyLicenseFile(unbound, ring(key), { now: NOW })).valid).toBe(true);
    expect((await verifyLicenseFile(unbound, ring(key), { now: NOW, fingerprint: "anything" })).valid).toBe(
      true,
    );
    const checks = { now: NOW, licenseKey: LICENSE_KEY, productCode: "acme-cad" };
    expect((await verifyLicenseFile(unbound, ring(key), checks)).valid).toBe(true);
    expect(
      await verifyLicenseFile(unbound, ring(key), { ...checks, licenseKey: "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE" }),
    ).toEqual({ valid: false, reason: "LICENSE_MISMATCH" });
    expect(await verifyLicenseFile(unbound, ring(key), { ...checks, productCode: "other" })).toEqual({
      valid: false,
      reason: "PRODUCT_MISMATCH",
    });
  });

  it("reports garbage as MALFORMED and other versions as UNSUPPORTED", async () => {
    for (const text of ["", "hello", "-----BEGIN LICENSE FILE-----\n-----END LICENSE FILE-----\n"]) {
      expect(await verifyLicenseFile(text, ring(key))).toEqual({ valid: false, reason: "MALFORMED" });
    }
    const armor = (json: string) =>
      `-----BEGIN LICENSE FILE-----\n${(
        Buffer.from(json)
          .toString("base64")
          .match(/.{1,64}/g) ?? []
      ).join("\n")}\n-----END LICENSE FILE-----\n`;
    const sig = Buffer.alloc(64).toString("base64");
    expect(
      await verifyLicenseFile(armor(`{"v":2,"alg":"Ed25519","kid":"key-1","enc":"none"}`), ring(key)),
    ).toEqual({ valid: false, reason: "UNSUPPORTED" });
    expect(
      await verifyLicenseFile(
        armor(`{"v":1,"alg":"RS256","kid":"key-1","enc":"none","payload":"e30=","sig":"${sig}"}`),
        ring(key),
      ),
    ).toEqual({ valid: false, reason: "UNSUPPORTED" });
    // a correctly signed v1 envelope carrying a payload of another version
    const body = `{"v":2,"kid":"key-1"}`;
    const header = `license-server/license-file/v1\nalg=Ed25519\nkid=key-1\nenc=none\nsalt=\niv=\n\n`;
    const signature = sign(null, Buffer.concat([Buffer.from(header), Buffer.from(body)]), key.privateKey);
    const future = armor(
      `{"v":1,"alg":"Ed25519","kid":"key-1","enc":"none","payload":"${Buffer.from(body).toString("base64")}","sig":"${signature.toString("base64")}"}`,
    );
    expect(await verifyLicenseFile(future, ring(key), { now: NOW })).toEqual({
      valid: false,
      reason: "UNSUPPORTED",
    });
  });
});

describe("the spec's test vectors (sdk/docs/license-file-v1.md)", () => {
  const spec = readFileSync(SPEC_PATH, "utf8");

  it("are what the example script makes today, byte for byte", async () => {
    const section = spec.slice(
      spec.indexOf(EXAMPLES_START),
      spec.indexOf(EXAMPLES_END) + EXAMPLES_END.length,
    );
    expect(section).toBe(await renderExamples());
  });

  it("verify with the published public key, in the SDK and independently", async () => {
    const blocks = [...spec.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
    const publicKeyPem = blocks.find((b) => b.startsWith("-----BEGIN PUBLIC KEY-----")) ?? "";
    const files = blocks.filter((b) => b.startsWith("-----BEGIN LICENSE FILE-----"));
    expect(files).toHaveLength(2);
    const [plainFile = "", encryptedFile = ""] = files;
    const keyring = [{ kid: EXAMPLE_KID, publicKeyPem }];
    const now = new Date(EXAMPLE_NOW);

    const a = await verifyLicenseFile(plainFile, keyring, { now, licenseKey: EXAMPLE_LICENSE_KEY });
    expect(a).toMatchObject({ valid: true, encrypted: false, payload: { fingerprint: null } });
    const b = await verifyLicenseFile(encryptedFile, keyring, {
      now,
      fingerprint: EXAMPLE_FINGERPRINT,
      licenseKey: EXAMPLE_LICENSE_KEY,
      productCode: "acme-cad",
    });
    expect(b).toMatchObject({ valid: true, encrypted: true, payload: { fingerprint: EXAMPLE_FINGERPRINT } });

    const keys = { [EXAMPLE_KID]: publicKeyPem };
    expect(independentVerify(plainFile, keys, { now }).ok).toBe(true);
    expect(independentVerify(encryptedFile, keys, { now, fingerprint: EXAMPLE_FINGERPRINT }).ok).toBe(true);
    expect(await verifyLicenseFile(encryptedFile, keyring, { now, fingerprint: "host-0000" })).toEqual({
      valid: false,
      reason: "FINGERPRINT_MISMATCH",
    });
    expect(
      await verifyLicenseFile(plainFile, keyring, { now: new Date("2026-02-14T09:30:00.000Z") }),
    ).toEqual({
      valid: false,
      reason: "EXPIRED",
    });
  });
});
