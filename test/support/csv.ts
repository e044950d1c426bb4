// Reading the server's CSV exports in tests, with csv-parse (the companion of the csv-stringify
// the server writes with): the rows as written, or as objects by the header's names.
import { parse } from "csv-parse/sync";

/** RFC 4180 rows (quoted fields, "" and line breaks inside quotes). */
export function parseCsv(text: string): string[][] {
  return parse(text, { relaxColumnCount: true });
}

/** The rows as objects by the header's names. */
export function records(rows: string[][]): Record<string, string>[] {
  const [header = [], ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ""])));
}
