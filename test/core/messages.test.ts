// The error map (src/server/core/shared/messages.ts): each kind of issue in the user's words, the
// unit taken from the schema (inUnits), not from the field's name; explicit messages still win.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ZCreateLicenseInput,
  ZLicenseTerms,
  ZRenewLicenseInput,
} from "../../src/server/core/licenses/schemas.ts";
import { licenseFileDaysFor, ZLicenseFileDays } from "../../src/server/core/offline/schemas.ts";
import { ZCreatePolicyInput } from "../../src/server/core/policies/schemas.ts";
import {
  atLeast,
  inUnits,
  offlineDaysMessage,
  quantity,
  RELATION_MESSAGES,
  unitOf,
} from "../../src/server/core/shared/messages.ts";
import { ZDateTime, ZPagination } from "../../src/server/core/shared/schemas.ts";
import { ZConvertTrialInput } from "../../src/server/core/trials/schemas.ts";

/** The first message of `schema` parsing `input` (or null when it passes). */
function messageOf(schema: z.ZodType, input: unknown): string | null {
  const result = schema.safeParse(input);
  return result.success ? null : (result.error.issues[0]?.message ?? null);
}

/** Each failing field's path and message. */
function fieldsOf(schema: z.ZodType, input: unknown): [string, string][] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => [issue.path.join("."), issue.message]);
}

describe("the error map", () => {
  it("words ranges with the unit the schema carries, singular and plural", () => {
    expect(messageOf(ZLicenseTerms.seatLimit, -1)).toBe("at least 1 seat");
    expect(messageOf(ZLicenseTerms.seatLimit, 2_000_000)).toBe("at most 1,000,000 seats");
    expect(messageOf(ZLicenseTerms.heartbeatIntervalSeconds, 5)).toBe("at least 30 seconds");
    expect(messageOf(ZLicenseTerms.heartbeatIntervalSeconds, 90_000)).toBe("at most 86,400 seconds");
    expect(messageOf(ZLicenseTerms.offlineAllowanceDays, 400)).toBe("at most 365 days");
    expect(messageOf(ZLicenseTerms.offlineAllowanceDays, -1)).toBe("at least 0 days");
    expect(messageOf(ZLicenseTerms.gracePeriodHours, 5000)).toBe("at most 2,160 hours");
    expect(messageOf(ZLicenseTerms.durationDays, 0)).toBe("at least 1 day");
    expect(messageOf(ZLicenseTerms.checkInIntervalDays, 366)).toBe("at most 365 days");
    expect(messageOf(ZLicenseFileDays, 0)).toBe("at least 1 day");
  });

  it("keeps the unit through optional, nullable and default wrappers, and on derived schemas", () => {
    expect(messageOf(ZLicenseTerms.seatLimit.optional(), 0)).toBe("at least 1 seat");
    expect(messageOf(ZLicenseTerms.durationDays.default(null), 0)).toBe("at least 1 day");
    expect(messageOf(ZLicenseTerms.seatLimit.max(10), 11)).toBe("at most 10 seats");
    expect(unitOf(ZLicenseTerms.seatLimit.optional())).toEqual({ one: "seat", other: "seats" });
    expect(unitOf(z.number())).toBeUndefined();
  });

  it("takes the unit from the schema, not from a field's name", () => {
    const widgets = z.object({ seatLimit: inUnits(z.number().int().min(2), "widget") });
    expect(messageOf(widgets, { seatLimit: 1 })).toBe("at least 2 widgets");
    const children = inUnits(z.number().int().max(1), "child", "children");
    expect(messageOf(children, 3)).toBe("at most 1 child");
    // no unit: the bare number
    expect(messageOf(z.object({ seatLimit: z.number().min(1) }), { seatLimit: 0 })).toBe("at least 1");
  });

  it("words the type of a number: whole numbers and numbers of the unit; missing is required", () => {
    expect(messageOf(ZLicenseTerms.gracePeriodHours, 1.5)).toBe("must be a whole number of hours");
    expect(messageOf(ZLicenseTerms.seatLimit, "five")).toBe("must be a number of seats");
    expect(messageOf(ZLicenseTerms.seatLimit, Number.NaN)).toBe("must be a number of seats");
    expect(messageOf(z.object({ seats: ZLicenseTerms.seatLimit }), {})).toBe("is required");
    expect(messageOf(z.number().int(), 1.5)).toBe("must be a whole number");
  });

  it("words strings, lists, choices, formats and unknown keys", () => {
    expect(messageOf(z.string().min(1), "")).toBe("is required");
    expect(messageOf(z.string().min(12), "short")).toBe("must be at least 12 characters");
    expect(messageOf(z.string().max(3), "long")).toBe("must be at most 3 characters");
    expect(messageOf(z.array(z.string()).max(2), ["a", "b", "c"])).toBe("takes at most 2 items");
    expect(messageOf(inUnits(z.array(z.string()).min(2), "tag"), ["a"])).toBe("needs at least 2 tags");
    expect(messageOf(z.enum(["floating", "node_locked"]), "seat")).toBe(
      'must be one of "floating", "node_locked"',
    );
    expect(messageOf(z.email(), "nope")).toBe("must be an email address");
    expect(messageOf(z.strictObject({ a: z.string() }), { a: "x", b: 1 })).toBe("unknown field: b");
  });

  it("words dates and unions: the closest option's words, else the types it takes", () => {
    for (const bad of ["yesterday", "2027-06-30", 5]) {
      expect(messageOf(ZDateTime, bad)).toBe(
        "must be an ISO-8601 date-time with its offset, e.g. 2027-06-30T00:00:00Z",
      );
    }
    expect(messageOf(ZDateTime, "2027-06-30T00:00:00Z")).toBeNull();
    expect(messageOf(z.union([z.number(), z.string()]), true)).toBe("must be a number or text");
    expect(messageOf(z.union([z.date(), z.email()]), "nope")).toBe("must be an email address");
  });

  it("leaves explicit messages alone", () => {
    expect(messageOf(z.number().min(1, "pick one at least"), 0)).toBe("pick one at least");
    expect(messageOf(z.string().min(1, { error: "say something" }), "")).toBe("say something");
  });

  it("words the rules between fields with human names", () => {
    const start = new Date("2031-01-10T00:00:00Z");
    expect(
      fieldsOf(ZCreateLicenseInput, {
        customerId: "c",
        productId: "p",
        startsAt: start,
        expiresAt: new Date("2031-01-01T00:00:00Z"),
      }),
    ).toEqual([["expiresAt", RELATION_MESSAGES.expiryAfterStart]]);
    expect(RELATION_MESSAGES.expiryAfterStart).toBe("the expiry must be after the start date");
    expect(fieldsOf(ZRenewLicenseInput, { id: "l", extendDays: -10 })).toEqual([
      ["extendDays", "at least 1 day"],
    ]);
    expect(fieldsOf(ZRenewLicenseInput, { id: "l" })).toEqual([
      ["expiresAt", "give either a new expiry date or a number of days to extend by"],
    ]);
  });

  it("words an offline file's days with the format's limit and the license's allowance", () => {
    expect(messageOf(licenseFileDaysFor(30), 400)).toBe(
      "at most 365 days; this license allows at most 30 days",
    );
    expect(messageOf(licenseFileDaysFor(30), 100)).toBe("this license allows at most 30 days");
    expect(messageOf(licenseFileDaysFor(30), 30)).toBeNull();
    expect(messageOf(licenseFileDaysFor(365), 400)).toBe("at most 365 days");
    expect(messageOf(licenseFileDaysFor(1), 2)).toBe("this license allows at most 1 day");
    expect(messageOf(licenseFileDaysFor(30), 0)).toBe("at least 1 day");
    expect(offlineDaysMessage(500, 400, 365)).toBe("at most 365 days");
  });

  it("covers policies, trials' conversion terms, pagination and quotas", () => {
    expect(
      fieldsOf(ZCreatePolicyInput, {
        productId: "p",
        name: "N",
        seatLimit: 0,
        offlineAllowanceDays: 1000,
        entitlements: [{ featureId: "f", quota: -1 }],
      }),
    ).toEqual([
      ["seatLimit", "at least 1 seat"],
      ["offlineAllowanceDays", "at most 365 days"],
      ["entitlements.0.quota", "at least 0 units"],
    ]);
    expect(
      fieldsOf(ZConvertTrialInput, { trialId: "t", customerId: "c", terms: { heartbeatIntervalSeconds: 1 } }),
    ).toEqual([["terms.heartbeatIntervalSeconds", "at least 30 seconds"]]);
    expect(messageOf(z.object(ZPagination), { pageSize: "500" })).toBe("at most 200 rows");
  });

  it("formats quantities as people read them", () => {
    expect(quantity(1, { one: "seat", other: "seats" })).toBe("1 seat");
    expect(quantity(86_400, { one: "second", other: "seconds" })).toBe("86,400 seconds");
    expect(atLeast(0, { one: "day", other: "days" })).toBe("at least 0 days");
  });
});
