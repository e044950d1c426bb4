// The wording of validation messages, one for the server's answers (INVALID_ARGUMENT's message and
// field list) and the admin UI's fields alike: a Zod error map, installed on import, that says what
// is wrong in the user's terms, with the unit a schema carries (`inUnits(schema, "seat")`), and
// the messages of rules between fields. Free of server code: client components load it too.
import { z } from "zod";

/** What a number (or a list) counts, singular and plural: "seat"/"seats", "day"/"days". */
export interface Unit {
  one: string;
  other: string;
}

// one registry per process even if bundling loads this module twice (the error map is global)
const REGISTRY_KEY = "__licenseServerUnits";
const holder = globalThis as typeof globalThis & { [REGISTRY_KEY]?: z.core.$ZodRegistry<Unit> };
const units: z.core.$ZodRegistry<Unit> = (holder[REGISTRY_KEY] ??= z.registry<Unit>());

/**
 * `schema`, counting `one` (plural `other`, default `one` + "s"): its range messages name the
 * unit ("at least 1 seat", "at most 365 days"). Schemas derived from it (`.min()`, `.optional()`)
 * keep the unit.
 */
export function inUnits<S extends z.ZodType>(schema: S, one: string, other = `${one}s`): S {
  units.add(schema, { one, other });
  return schema;
}

/** The unit of `schema`, looking through optional/nullable/default wrappers. */
export function unitOf(schema: z.core.$ZodType | undefined): Unit | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const unit = units.get(current);
    if (unit) return unit;
    const def = current._zod.def as { innerType?: z.core.$ZodType };
    current = def.innerType;
  }
  return undefined;
}

/** A number as people write it: 86,400 (thousands separated). */
export function formatCount(value: number | bigint): string {
  return value.toLocaleString("en-US");
}

/** "1 seat", "30 seconds", "86,400 seconds"; a bare number without a unit. */
export function quantity(value: number | bigint, unit?: Unit): string {
  if (!unit) return formatCount(value);
  return `${formatCount(value)} ${Number(value) === 1 ? unit.one : unit.other}`;
}

export const atLeast = (value: number | bigint, unit?: Unit): string => `at least ${quantity(value, unit)}`;
export const atMost = (value: number | bigint, unit?: Unit): string => `at most ${quantity(value, unit)}`;

/** The unit of days, for messages built outside a schema (offline allowance, renewals). */
export const DAYS: Unit = { one: "day", other: "days" };

/** A rule between two fields, in the user's words: "the expiry must be after the start date". */
export const mustBeAfter = (later: string, earlier: string): string => `${later} must be after ${earlier}`;

/** Messages of rules between fields, shared by the schemas, the operations and the forms. */
export const RELATION_MESSAGES = {
  expiryAfterStart: mustBeAfter("the expiry", "the start date"),
  expiryInFuture: "the new expiry must be in the future",
  expiryOrDuration: "give either an expiry date or a duration in days, not both",
  expiryOrExtension: "give either a new expiry date or a number of days to extend by",
} as const;

/**
 * The most days an offline file may run for a license that allows `allowance` days, the format
 * allowing `max`: both limits when the value breaks the format's, the license's alone otherwise.
 */
export function offlineDaysMessage(days: number, allowance: number, max: number): string {
  const own = `this license allows ${atMost(Math.min(allowance, max), DAYS)}`;
  return days > max && allowance < max
    ? `${atMost(max, DAYS)}; ${own}`
    : days > max
      ? atMost(max, DAYS)
      : own;
}

function dateText(value: number | bigint): string {
  return new Date(Number(value)).toISOString().slice(0, 10);
}

function listOf(values: readonly unknown[]): string {
  const shown = values.map((value) => JSON.stringify(value));
  return shown.length === 1 ? `must be ${shown[0] ?? ""}` : `must be one of ${shown.join(", ")}`;
}

const TYPE_WORDS: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "text",
  boolean: "true or false",
  date: "a date",
  array: "a list",
  object: "an object",
  bigint: "a whole number",
};

const FORMAT_WORDS: Record<string, string> = {
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
  datetime: "an ISO-8601 date-time",
  date: "a date (yyyy-mm-dd)",
  base64: "base64 text",
  base64url: "base64url text",
};

/** The message of one issue, or undefined to keep Zod's own (for codes this map does not word). */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const unit = unitOf(issue.schema);
  switch (issue.code) {
    case "too_small": {
      const { minimum, origin, inclusive } = issue;
      if (origin === "string") {
        return Number(minimum) <= 1
          ? "is required"
          : `must be ${atLeast(minimum, { one: "character", other: "characters" })}`;
      }
      if (origin === "array" || origin === "set") {
        const items = unit ?? { one: "item", other: "items" };
        return Number(minimum) === 1 ? `needs at least one ${items.one}` : `needs ${atLeast(minimum, items)}`;
      }
      if (origin === "date") return `must be on or after ${dateText(minimum)}`;
      return inclusive === false ? `more than ${quantity(minimum, unit)}` : atLeast(minimum, unit);
    }
    case "too_big": {
      const { maximum, origin, inclusive } = issue;
      if (origin === "string") return `must be ${atMost(maximum, { one: "character", other: "characters" })}`;
      if (origin === "array" || origin === "set")
        return `takes ${atMost(maximum, unit ?? { one: "item", other: "items" })}`;
      if (origin === "date") return `must be on or before ${dateText(maximum)}`;
      return inclusive === false ? `less than ${quantity(maximum, unit)}` : atMost(maximum, unit);
    }
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const word = TYPE_WORDS[issue.expected];
      if (!word) return undefined;
      if (unit && (issue.expected === "int" || issue.expected === "number"))
        return `must be ${word} of ${unit.other}`;
      return `must be ${word}`;
    }
    case "not_multiple_of":
      return `must be a multiple of ${quantity(issue.divisor, unit)}`;
    case "invalid_value":
      return listOf(issue.values);
    case "invalid_format": {
      const word = FORMAT_WORDS[issue.format];
      return word ? `must be ${word}` : undefined;
    }
    case "invalid_union": {
      // the words of the closest option: one that took the type but not the value, else the types
      const options = "errors" in issue ? issue.errors : [];
      const near = options.find(
        (issues) => issues.length > 0 && issues.every((i) => i.code !== "invalid_type"),
      );
      if (near?.[0]) return near[0].message;
      const types = options.flatMap((issues) =>
        issues.flatMap((i) =>
          i.code === "invalid_type" && i.path.length === 0 ? [TYPE_WORDS[i.expected]] : [],
        ),
      );
      const words = [...new Set(types)].filter((word): word is string => word !== undefined);
      return words.length > 0 ? `must be ${words.join(" or ")}` : undefined;
    }
    case "unrecognized_keys":
      return `${issue.keys.length === 1 ? "unknown field" : "unknown fields"}: ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
}

z.config({ customError: issueMessage });
