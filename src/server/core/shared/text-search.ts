// Text search in the lists (`q`): a case-insensitive, literal "contains" on one or more columns.
//
// Literal: `%`, `_` and `\` in the search text match themselves. Prisma passes a `contains` value
// to LIKE (SQLite) or ILIKE (PostgreSQL) as it is, where `%` and `_` are wildcards. PostgreSQL's
// LIKE takes `\` as its escape character by default, so there the value is escaped. SQLite's LIKE
// has no escape character unless the SQL names one (which Prisma's does not), so there a search
// with `%` or `_` first finds the matching ids with `LIKE ? ESCAPE '\'` (see matchingIds).
//
// Case: PostgreSQL (ILIKE) ignores the case of every letter; SQLite's LIKE ignores the case of the
// ASCII letters only ("ärger" finds "ärger", not "Ärger"). That is SQLite's own rule and is kept:
// folding other letters would take a function SQLite lacks or a copy of every searched column.
import type { DomainContext } from "../context.ts";
import type { DbProvider } from "../../db/provider.ts";

/** How long a search text may be (the lists' `q`, the palette's search). */
export const MAX_SEARCH_LENGTH = 200;

/**
 * On SQLite, a search with a wildcard character looks at this many literal matches at most
 * (their ids go into the list's query); any other search has no such limit.
 */
export const MAX_LITERAL_MATCHES = 10_000;

const LIKE_SPECIAL = /[\\%_]/g;

/** `value` with LIKE's wildcards and its escape character escaped by a backslash. */
export function escapeLike(value: string): string {
  return value.replace(LIKE_SPECIAL, (char) => `\\${char}`);
}

function hasWildcard(value: string): boolean {
  return /[%_]/.test(value);
}

/**
 * A case-insensitive "contains" filter for one column, literal on PostgreSQL always and on
 * SQLite for text without `%` or `_` (textWhere handles those). PostgreSQL needs
 * `mode: "insensitive"`, which the SQLite client's types do not know, hence the cast.
 */
export function containsText(provider: DbProvider, value: string): { contains: string } {
  return provider === "postgresql"
    ? ({ contains: escapeLike(value), mode: "insensitive" } as unknown as { contains: string })
    : { contains: value };
}

/** The tables searched by text and the columns a search may name (never user input). */
type Searchable =
  | { table: "Customer"; columns: readonly ("name" | "email" | "company")[] }
  | { table: "Product"; columns: readonly ("name" | "code")[] }
  | { table: "Group"; columns: readonly "name"[] }
  | { table: "Admin"; columns: readonly ("email" | "name")[] }
  | { table: "Policy"; columns: readonly "name"[] }
  | { table: "License"; columns: readonly "key"[] };

/**
 * A `where` fragment for rows of `table` where any of `columns` contains `q` (case-insensitive,
 * literal): an OR of `contains` filters, or on SQLite with a wildcard in `q`, the matching ids.
 */
export async function textWhere(
  ctx: Pick<DomainContext, "db" | "provider">,
  searchable: Searchable,
  q: string,
): Promise<{ OR: Record<string, { contains: string }>[] } | { id: { in: string[] } }> {
  if (ctx.provider === "sqlite" && hasWildcard(q)) {
    return { id: { in: await matchingIds(ctx, searchable, [q]) } };
  }
  return { OR: searchable.columns.map((column) => ({ [column]: containsText(ctx.provider, q) })) };
}

/**
 * The ids of `table`'s rows where a column contains any of `values` literally, by SQLite's LIKE
 * with an escape character (ASCII case folded, as LIKE does). Table and column names come from
 * the Searchable type above, the values are bound parameters.
 */
export async function matchingIds(
  ctx: Pick<DomainContext, "db">,
  { table, columns }: Searchable,
  values: readonly string[],
): Promise<string[]> {
  const tests: string[] = [];
  const params: string[] = [];
  for (const value of values) {
    for (const column of columns) {
      tests.push(`"${column}" LIKE ? ESCAPE '\\'`);
      params.push(`%${escapeLike(value)}%`);
    }
  }
  const rows = await ctx.db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "${table}" WHERE ${tests.join(" OR ")} LIMIT ${MAX_LITERAL_MATCHES}`,
    ...params,
  );
  return rows.map((row) => row.id);
}
