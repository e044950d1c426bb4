// One TOTP code, sent in parallel to the signed-in admin's own 2FA operations (new recovery codes,
// turning 2FA off): the step is consumed with a compare-and-set, so one request succeeds and the
// others are refused, on both databases. (Sign-in's own compare-and-set: sign-in-limits.test.ts.)
import { describe, expect, it } from "vitest";
import { totpCode } from "../../src/server/core/two-factor/totp.ts";
import { createAdmin } from "../../src/server/core/admins/create-admin.ts";
import type { Actor } from "../../src/server/core/context.ts";
import { DomainError } from "../../src/server/core/errors.ts";
import { confirmTotp } from "../../src/server/core/two-factor/confirm-totp.ts";
import { disableTotp } from "../../src/server/core/two-factor/disable-totp.ts";
import { enrollTotp } from "../../src/server/core/two-factor/enroll-totp.ts";
import { regenerateRecoveryCodes } from "../../src/server/core/two-factor/regenerate-recovery-codes.ts";
import { describeEachDb, type TestDb } from "../support/db.ts";
import { unique } from "../support/fixtures.ts";

const PASSWORD = "one code once, in parallel";
const PARALLEL = 10;

async function adminWithTotp(db: TestDb): Promise<{ as: Actor; secret: string }> {
  const email = `${unique("once")}@example.com`;
  const admin = await createAdmin(db.ctx(), { email, role: "editor", password: PASSWORD });
  const as: Actor = { type: "admin", id: admin.id, label: email, role: "editor", groupIds: [] };
  const { secret } = await enrollTotp(db.ctx(as));
  await confirmTotp(db.ctx(as), { code: await totpCode(secret, db.clock.now()) });
  db.clock.advance(30_000);
  return { as, secret };
}

/** Each outcome: "ok", or the DomainError's code (anything else fails the test). */
async function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => {
    if (s.status === "fulfilled") return "ok";
    if (s.reason instanceof DomainError) return s.reason.code;
    throw s.reason;
  });
}

describeEachDb("the own TOTP code works once under concurrency", (getDb) => {
  describe.each([PARALLEL])("%i parallel requests with one code", (n) => {
    it("new recovery codes: one set is made, the other requests are refused", async () => {
      const db = getDb();
      const { as, secret } = await adminWithTotp(db);
      const code = await totpCode(secret, db.clock.now());
      const results = await outcomes(
        Array.from({ length: n }, () => regenerateRecoveryCodes(db.ctx(as), { code })),
      );
      expect(results.filter((r) => r === "ok")).toHaveLength(1);
      expect(results.filter((r) => r !== "ok").every((r) => r === "INVALID_ARGUMENT")).toBe(true);
      // and the same code later, alone: refused too
      await expect(regenerateRecoveryCodes(db.ctx(as), { code })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    });

    it("turning 2FA off: succeeds once", async () => {
      const db = getDb();
      const { as, secret } = await adminWithTotp(db);
      const code = await totpCode(secret, db.clock.now());
      const results = await outcomes(
        Array.from({ length: n }, () => disableTotp(db.ctx(as), { password: PASSWORD, code })),
      );
      expect(results.filter((r) => r === "ok")).toHaveLength(1);
      // the others: the code was consumed, or 2FA was already off when they looked
      expect(
        results
          .filter((r) => r !== "ok")
          .every((r) => r === "INVALID_ARGUMENT" || r === "FAILED_PRECONDITION"),
      ).toBe(true);
    });
  });
});
