"use client";
// Tables over one page of server data: the columns a page declares and a HeroUI table whose sorting
// the server does (Pager, in pager.tsx, goes under it). A table wider than its card scrolls
// sideways inside it (the page never does); with `rowHref`, Enter on a focused row opens its record.
import { useRouter } from "@bprogress/next/app";
import { Checkbox, Table, type Selection, type SortDescriptor } from "@heroui/react";
import type { KeyboardEvent, ReactNode } from "react";
import { TableSkeleton } from "./states.tsx";

export interface Column<T> {
  id: string;
  label: string;
  /** the list's sort key when the column is sortable on the server */
  sortKey?: string;
  isRowHeader?: boolean;
  className?: string;
  render: (row: T) => ReactNode;
}

export interface SortState {
  sort: string;
  direction: "asc" | "desc";
}

/**
 * A HeroUI table over one page of server data; sorting is done by the server (the caller passes
 * the URL's sort and changes it), so only columns with a sortKey can be sorted.
 */
export function DataTable<T extends { id: string }>({
  label,
  columns,
  rows,
  sort,
  onSortChange,
  isLoading,
  empty,
  selectedIds,
  onSelectionChange,
  rowHref,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  isLoading?: boolean;
  empty: ReactNode;
  /** row selection (opt-in, with onSelectionChange): a checkbox column; the ids selected */
  selectedIds?: ReadonlySet<string>;
  /** the ids now selected ("select all" selects this page's rows) */
  onSelectionChange?: (ids: Set<string>) => void;
  /** the page of a row's record: Enter on the focused row (or one of its cells) goes there */
  rowHref?: (row: T) => string | null | undefined;
}) {
  const selectable = onSelectionChange !== undefined;
  const shown = selectable ? [selectionColumn<T>(), ...columns] : columns;
  const router = useRouter();
  // capture: the grid's own key handling must not swallow Enter; a focused link or button inside
  // the row keeps its own Enter
  const onKeyDownCapture = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== "Enter" || !rowHref) return;
    const target = event.target as HTMLElement;
    const role = target.getAttribute("role");
    if (role !== "row" && role !== "gridcell" && role !== "rowheader") return;
    const href = target.closest("[data-href]")?.getAttribute("data-href");
    if (!href) return;
    event.preventDefault();
    event.stopPropagation();
    router.push(href);
  };
  const descriptor: SortDescriptor | undefined = sort
    ? {
        column: columns.find((c) => c.sortKey === sort.sort)?.id ?? "",
        direction: sort.direction === "asc" ? "ascending" : "descending",
      }
    : undefined;
  return (
    <Table className="min-w-0 max-w-full" onKeyDownCapture={onKeyDownCapture}>
      <Table.ScrollContainer className="max-w-full overflow-x-auto">
        <Table.Content
          aria-label={label}
          aria-busy={isLoading ? true : undefined}
          sortDescriptor={descriptor}
          {...(selectable
            ? {
                selectionMode: "multiple" as const,
                selectedKeys: selectedIds ?? new Set<string>(),
                onSelectionChange: (keys: Selection) => {
                  onSelectionChange(
                    keys === "all" ? new Set((rows ?? []).map((r) => r.id)) : new Set([...keys].map(String)),
                  );
                },
              }
            : {})}
          onSortChange={(next) => {
            const column = columns.find((c) => c.id === next.column);
            if (column?.sortKey && onSortChange) {
              onSortChange({
                sort: column.sortKey,
                direction: next.direction === "ascending" ? "asc" : "desc",
              });
            }
          }}
        >
          <Table.Header columns={shown}>
            {(column) => (
              <Table.Column
                id={column.id}
                isRowHeader={column.isRowHeader}
                allowsSorting={Boolean(column.sortKey && onSortChange)}
                className={column.className}
              >
                {({ sortDirection }) =>
                  column.id === SELECTION_COLUMN ? (
                    <SelectionCheckbox />
                  ) : column.sortKey && onSortChange ? (
                    <Table.SortableColumnHeader sortDirection={sortDirection}>
                      {column.label}
                    </Table.SortableColumnHeader>
                  ) : (
                    column.label
                  )
                }
              </Table.Column>
            )}
          </Table.Header>
          <Table.Body
            items={rows ?? []}
            dependencies={[shown]}
            renderEmptyState={() =>
              isLoading || !rows ? <TableSkeleton rows={3} /> : <div className="py-2">{empty}</div>
            }
          >
            {(row) => (
              <Table.Row id={row.id} columns={shown} data-href={rowHref?.(row) ?? undefined}>
                {(column) => <Table.Cell className={column.className}>{column.render(row)}</Table.Cell>}
              </Table.Row>
            )}
          </Table.Body>
        </Table.Content>
      </Table.ScrollContainer>
    </Table>
  );
}

const SELECTION_COLUMN = "__selection";

/** The checkbox column of a table with row selection (the header's checkbox selects the page). */
function selectionColumn<T>(): Column<T> {
  return {
    id: SELECTION_COLUMN,
    label: "Select",
    className: "w-10 pr-0",
    render: () => <SelectionCheckbox />,
  };
}

/** The table labels it ("Select", "Select All") and ties it to its row. */
function SelectionCheckbox() {
  return (
    <Checkbox slot="selection">
      <Checkbox.Content>
        <Checkbox.Control>
          <Checkbox.Indicator />
        </Checkbox.Control>
      </Checkbox.Content>
    </Checkbox>
  );
}
