// Exports of a list (CSV files, docs/exports.md): the rows in pages read one after the other by
// keyset (never one query for everything, never OFFSET), with the list's own filters.

/** One cell of an exported row; the transport writes dates as ISO-8601 and null as empty. */
export type ExportCell = string | number | boolean | Date | null;

/** A list as an export: its columns, then its rows page by page, read as they are consumed. */
export interface TableExport {
  /** the file name's stem ("licenses"); the transport adds the date */
  name: string;
  columns: readonly string[];
  pages: AsyncIterable<ExportCell[][]>;
}

/** Rows per page read from the database. */
export const EXPORT_PAGE_SIZE = 500;

export interface KeysetOrder {
  /** the sort column; the row's unique `id` breaks ties */
  field: string;
  direction: "asc" | "desc";
  /** a nullable column: its nulls come last, whichever the direction */
  nullable?: boolean;
}

/** The orderBy of a keyset order, in the model's Prisma type (`OrderBy`). */
export function keysetOrderBy<OrderBy>(order: KeysetOrder): OrderBy[] {
  const sort = order.nullable ? { sort: order.direction, nulls: "last" } : order.direction;
  return [{ [order.field]: sort }, { id: order.direction }] as OrderBy[];
}

/** The `where` of the rows that come after `last` in the keyset order, in the model's type. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- names the model's where type at the call
export function keysetAfter<Where>(order: KeysetOrder, last: { id: string }): Where {
  return afterWhere(order, last) as Where;
}

function afterWhere(order: KeysetOrder, last: Record<string, unknown> & { id: string }): object {
  const op = order.direction === "asc" ? "gt" : "lt";
  const value = last[order.field];
  const afterId = { id: { [op]: last.id } };
  if (order.field === "id") return afterId;
  if (value === null || value === undefined) return { [order.field]: null, ...afterId };
  return {
    OR: [
      { [order.field]: { [op]: value } },
      { [order.field]: value, ...afterId },
      ...(order.nullable ? [{ [order.field]: null }] : []),
    ],
  };
}

/**
 * Pages of rows: `read(after)` gets the next page (`after`: the last row so far, undefined at the
 * start); ends on a short page.
 */
export async function* keysetPages<Row extends { id: string }>(
  read: (after: Row | undefined, take: number) => Promise<Row[]>,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<Row[]> {
  let after: Row | undefined;
  for (;;) {
    const rows = await read(after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1];
  }
}

/** `pages` with each row mapped to its cells. */
export async function* mapPages<Row>(
  pages: AsyncIterable<Row[]>,
  toCells: (rows: Row[]) => Promise<ExportCell[][]> | ExportCell[][],
): AsyncGenerator<ExportCell[][]> {
  for await (const rows of pages) yield await toCells(rows);
}
