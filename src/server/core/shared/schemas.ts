// Zod building blocks shared by the operations' schemas.
import { z } from "zod";
// installs the error map that words every schema's messages (server and admin UI alike)
import { inUnits } from "./messages.ts";

export const ZId = z.string().trim().min(1, "is required").max(64);

/** Machine names used by shipped software: lower-case letters, digits, "-", "_", ".". */
export const ZCode = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    "use lower-case letters, digits, '.', '-' and '_', starting with a letter or digit",
  );

export const ZName = z.string().trim().min(1, "is required").max(200);
export const ZDescription = z.string().trim().max(2000);

const MAX_METADATA_BYTES = 16 * 1024;
/** Free-form JSON object attached to a record; stored as JSON text. */
export const ZMetadata = z
  .record(z.string().max(100), z.json())
  .refine(
    (value) => JSON.stringify(value).length <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
  );
export type TMetadata = z.infer<typeof ZMetadata>;
/** Metadata as it leaves the server (already validated when stored). */
export const ZMetadataOut = z.record(z.string(), z.json());

export const ZSortDirection = z.enum(["asc", "desc"]).default("asc");

// List filters arrive as query-string values on REST GET routes. These read "42", "true" and
// "false" as what they say (a plain coercion would read "false" as true) and take real numbers
// and booleans from typed callers unchanged.

/** An integer that may arrive as a query-string value; `unit` names what it counts ("day"). */
export const zQueryInt = (min: number, max: number, unit?: string) => {
  const int = z.number().int().min(min).max(max);
  return z.preprocess(
    (value) => (typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    unit ? inUnits(int, unit) : int,
  );
};

/** A boolean that may arrive as a query-string value: "true" or "false". */
export const ZQueryBoolean = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean(),
);

/** Page-number pagination; pageSize is capped so a list is never unbounded. */
export const ZPagination = {
  page: zQueryInt(1, 100_000).default(1),
  pageSize: zQueryInt(1, 200, "row").default(50),
};

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** The output schema of a page of `item`. */
export const zPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });

/** Search text: PostgreSQL text cannot hold U+0000 (the query failed as an internal error). */
const ZSearchText = z
  .string()
  .trim()
  .max(200)
  .refine((value) => !value.includes("\u0000"), "must not contain NUL characters");
export const ZSearch = ZSearchText.optional();

export function parseMetadata(text: string): TMetadata {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as TMetadata) : {};
  } catch {
    return {};
  }
}

/** A point in time: a Date (tRPC, domain callers) or an ISO-8601 string with offset (REST, JSON). */
export const ZDateTime = z.union(
  [
    z.date(),
    z.iso
      .datetime({ offset: true, error: "must be an ISO-8601 date-time" })
      .transform((value) => new Date(value)),
  ],
  { error: "must be an ISO-8601 date-time with its offset, e.g. 2027-06-30T00:00:00Z" },
);
