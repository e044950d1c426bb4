// OVERDUE in the SDK's verifiers (docs/check-ins.md): a .lic file's `checkInBy` and a grace token's
// `nci` claim, signed here with a throwaway Ed25519 key. Which deadline decides when both have
// passed, that files and tokens without them verify as before, and that a malformed `checkInBy`
// is refused. The client's tiers over a real server are in test/core/check-ins.test.ts.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { GRACE_TOKEN_ISSUER, GRACE_TOKEN_TYPE, verifyGraceToken } from "../src/grace-token.ts";
import { createLicenseFile, verifyLicenseFile, type LicenseFileContent } from "../src/license-file.ts";
import { checkPayload } from "../src/license-file/payload.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
const T = new Date("2026-06-01T12:00:00.000Z");
const at = (ms: number) => new Date(T.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const keys = [{ kid: "k1", publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() }];

function content(extra: Partial<LicenseFileContent> = {}): LicenseFileContent {
  return {
    id: "file-1",
    issuedAt: iso(0),
    notBefore: iso(0),
    expiresAt: iso(7 * DAY),
    checkInBy: iso(7 * DAY),
    fingerprint: "machine-a",
    license: {
      id: "lic-1",
      keyHash: createHash("sha256").update("7K3QD-M9XWB-0A1ZZ-TTTTT-00000").digest("hex"),
      type: "node_locked",
      seats: 1,
      startsAt: iso(-DAY),
      expiresAt: null,
    },
    customer: { id: "cus-1", name: "Initech" },
    product: { id: "prd-1", code: "acme-cad", name: "Acme CAD" },
    entitlements: [],
    ...extra,
  };
}

const file = (payload: LicenseFileContent) =>
  createLicenseFile({ payload, kid: "k1", sign: (m) => sign(null, m, privateKey) });
const verifyFile = (text: string, ms: number) =>
  verifyLicenseFile(text, keys, { fingerprint: "machine-a", now: at(ms) });

async function token(claims: { exp: number; nci?: number }): Promise<string> {
  return new SignJWT({
    lkh: "0".repeat(64),
    fp: "machine-a",
    prd: "acme-cad",
    ent: [],
    lexp: null,
    ...claims,
  })
    .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: GRACE_TOKEN_TYPE })
    .setIssuer(GRACE_TOKEN_ISSUER)
    .setSubject("lic-1")
    .setIssuedAt(Math.floor(T.getTime() / 1000))
    .sign(privateKey);
}
const seconds = (ms: number) => Math.floor(at(ms).getTime() / 1000);
const verifyToken = (text: string, ms: number) =>
  verifyGraceToken(text, keys, { fingerprint: "machine-a", now: at(ms) });

describe(".lic checkInBy", () => {
  it("verifies before the check-in and answers OVERDUE from it on, with the deadline", async () => {
    const text = await file(content());
    const before = await verifyFile(text, 7 * DAY - 1);
    expect(before.valid && before.payload.checkInBy).toBe(iso(7 * DAY));
    expect(await verifyFile(text, 7 * DAY)).toEqual({
      valid: false,
      reason: "OVERDUE",
      checkInBy: at(7 * DAY),
    });
    expect(await verifyFile(text, 7 * DAY + MINUTE)).toMatchObject({ reason: "OVERDUE" });
  });

  it("the earlier deadline decides: a license expiry before the check-in stays EXPIRED", async () => {
    const expiresFirst = await file(content({ expiresAt: iso(3 * DAY) }));
    expect(await verifyFile(expiresFirst, 3 * DAY)).toEqual({ valid: false, reason: "EXPIRED" });
    expect(await verifyFile(expiresFirst, 8 * DAY)).toEqual({ valid: false, reason: "EXPIRED" });
    // a writer that left expiresAt later than the check-in: OVERDUE in between
    const checkInFirst = await file(content({ expiresAt: iso(30 * DAY) }));
    expect(await verifyFile(checkInFirst, 10 * DAY)).toMatchObject({ valid: false, reason: "OVERDUE" });
  });

  it("files without checkInBy (every file written before it) verify and expire as before", async () => {
    const { checkInBy: _omitted, ...old } = content();
    const text = await file(old);
    const fresh = await verifyFile(text, 6 * DAY);
    expect(fresh.valid && "checkInBy" in fresh.payload).toBe(false);
    expect(await verifyFile(text, 7 * DAY)).toEqual({ valid: false, reason: "EXPIRED" });
  });

  it("checkPayload accepts checkInBy absent, validates it when present", () => {
    const payload = { ...content(), v: 1, kid: "k1" };
    expect(checkPayload(payload)).toEqual(payload);
    const { checkInBy: _omitted, ...without } = payload;
    expect(checkPayload(without)).toEqual(without);
    for (const bad of [null, "", "tomorrow", "2026-06-08", 1_780_000_000, "2026-13-40T00:00:00Z"]) {
      expect(checkPayload({ ...payload, checkInBy: bad })).toBe("MALFORMED");
    }
    // and the writer refuses to sign one
    return expect(file(content({ checkInBy: "soon" }))).rejects.toThrow(TypeError);
  });
});

describe("grace token nci", () => {
  it("verifies before the check-in and answers OVERDUE when the check-in ends it", async () => {
    const text = await token({ exp: seconds(7 * DAY), nci: seconds(7 * DAY) });
    const before = await verifyToken(text, 7 * DAY - 1000);
    expect(before.valid && before.claims.nci).toBe(seconds(7 * DAY));
    expect(await verifyToken(text, 7 * DAY + MINUTE)).toEqual({
      valid: false,
      reason: "OVERDUE",
      checkInBy: at(7 * DAY),
    });
  });

  it("a grace period that ran out before the check-in stays EXPIRED", async () => {
    const text = await token({ exp: seconds(3 * DAY), nci: seconds(7 * DAY) });
    expect(await verifyToken(text, 3 * DAY + MINUTE)).toEqual({ valid: false, reason: "EXPIRED" });
    expect(await verifyToken(text, 8 * DAY)).toEqual({ valid: false, reason: "EXPIRED" });
  });

  it("a token whose nci is before its exp is OVERDUE from nci on", async () => {
    const text = await token({ exp: seconds(30 * DAY), nci: seconds(7 * DAY) });
    expect((await verifyToken(text, 6 * DAY)).valid).toBe(true);
    expect(await verifyToken(text, 7 * DAY)).toMatchObject({ valid: false, reason: "OVERDUE" });
  });

  it("tokens without nci verify and expire as before", async () => {
    const text = await token({ exp: seconds(3 * DAY) });
    expect((await verifyToken(text, 2 * DAY)).valid).toBe(true);
    expect(await verifyToken(text, 3 * DAY)).toEqual({ valid: false, reason: "EXPIRED" });
  });
});
