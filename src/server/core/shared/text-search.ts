import type { DbProvider } from "../../db/provider.ts";

/**
 * A case-insensitive "contains" filter. SQLite's LIKE already ignores ASCII case; PostgreSQL needs
 * `mode: "insensitive"`, which the SQLite client's types do not know, hence the cast.
 */
export function containsText(provider: DbProvider, value: string): { contains: string } {
  return provider === "postgresql"
    ? ({ contains: value, mode: "insensitive" } as unknown as { contains: string })
    : { contains: value };
}
