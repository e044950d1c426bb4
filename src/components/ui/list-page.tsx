"use client";
// The scaffolding of list pages: filters, sort and page kept in the URL (useUrlState), a text
// filter that writes to the URL after a pause, and the list's error state and pager.
import { useEffect, useState, type ReactNode } from "react";
import type { useUrlState } from "@/hooks/use-url-state.ts";
import { CheckboxInput } from "./checkbox-input.tsx";
import { WithStatus } from "./chips.tsx";
import { DataTable, type Column, type SortState } from "./data-table.tsx";
import { TextLink } from "./links.tsx";
import { Pager } from "./pager.tsx";
import { SelectInput, type SelectInputProps } from "./select-input.tsx";
import { ErrorState } from "./states.tsx";
import { TextInput, type TextInputProps } from "./text-input.tsx";

export type UrlState = ReturnType<typeof useUrlState>;

/** A text filter shown as typed and written to the URL (trimmed, "" removes it) after a pause. */
function useDebouncedParam(url: UrlState, key: string, delayMs = 300) {
  const current = url.get(key);
  const [text, setText] = useState(current);
  useEffect(() => {
    if (text === current) return;
    const timer = setTimeout(() => {
      url.set({ [key]: text.trim() || undefined });
    }, delayMs);
    return () => {
      clearTimeout(timer);
    };
  }, [text, current, key, url, delayMs]);
  return [text, setText] as const;
}

export interface Paging {
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
}

/** The URL's page of `pageSize` rows, and going to another page (the other parameters stay). */
export function useUrlPage(url: UrlState, pageSize: number): Paging {
  return {
    page: url.getInt("page", 1),
    pageSize,
    onPage: (next: number) => {
      url.set({ page: next });
    },
  };
}

/**
 * A page of `pageSize` rows kept in the component (for the lists inside a record's page, several
 * to a page: the URL keeps the page's own list state).
 */
export function useLocalPage(pageSize: number): Paging {
  const [page, setPage] = useState(1);
  return { page, pageSize, onPage: setPage };
}

/**
 * The URL's sort and direction (unknown values fall back to the defaults), and the sort props of
 * a DataTable that changes them.
 */
export function useUrlSort<S extends string>(
  url: UrlState,
  sorts: readonly S[],
  defaultSort: S,
  defaultDirection: "asc" | "desc" = "asc",
) {
  const sortParam = url.get("sort");
  const sort = sorts.find((s) => s === sortParam) ?? defaultSort;
  const directionParam = url.get("direction");
  const direction = directionParam === "asc" || directionParam === "desc" ? directionParam : defaultDirection;
  return {
    sort,
    direction,
    /** DataTable's sort and onSortChange */
    sorting: {
      sort: { sort, direction },
      onSortChange: (next: SortState) => {
        url.set({ sort: next.sort, direction: next.direction });
      },
    },
  };
}

interface ListQuery<T> {
  data?: { items: T[]; total?: number } | T[];
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => Promise<unknown>;
}

/**
 * A list's query as what `children` make of it or, when it failed, an error with a retry; with
 * `paging`, a pager under it once the total is known.
 */
export function ListResults<T>({
  query,
  paging,
  hideSinglePage = false,
  children,
}: {
  query: ListQuery<T>;
  paging?: Paging;
  /** no pager while everything fits on the first page (the short lists inside a record's page) */
  hideSinglePage?: boolean;
  children: ReactNode;
}) {
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const total = query.data && !Array.isArray(query.data) ? query.data.total : undefined;
  const single = paging !== undefined && total !== undefined && paging.page === 1 && total <= paging.pageSize;
  return (
    <>
      {children}
      {paging && total !== undefined && !(hideSinglePage && single) ? (
        <Pager {...paging} total={total} />
      ) : null}
    </>
  );
}

/** A list's query as a table (see ListResults). */
export function ListTable<T extends { id: string }>({
  query,
  paging,
  hideSinglePage,
  ...table
}: {
  query: ListQuery<T>;
  paging?: Paging;
  hideSinglePage?: boolean;
} & Omit<Parameters<typeof DataTable<T>>[0], "rows" | "isLoading">) {
  return (
    <ListResults query={query} paging={paging} hideSinglePage={hideSinglePage}>
      <DataTable
        {...table}
        rows={Array.isArray(query.data) ? query.data : query.data?.items}
        isLoading={query.isPending}
      />
    </ListResults>
  );
}

/** The sortable name column of a list of records that can be archived, linked to each record's page. */
export function archivableNameColumn<T extends { id: string; name: string; archivedAt: string | null }>(
  basePath: string,
): Column<T> {
  return {
    id: "name",
    label: "Name",
    sortKey: "name",
    isRowHeader: true,
    render: (row) => (
      <WithStatus status={row.archivedAt && "archived"}>
        <TextLink href={`${basePath}/${row.id}`}>{row.name}</TextLink>
      </WithStatus>
    ),
  };
}

/** The row of filters above a list. */
export function Filters({
  children,
  className = "flex flex-wrap items-end gap-4",
}: {
  children: ReactNode;
  className?: string;
}) {
  return <div className={`mb-4 ${className}`}>{children}</div>;
}

/** A text filter kept in the URL under its name, written there after a pause in the typing. */
export function UrlText({
  url,
  delayMs,
  ...props
}: { url: UrlState; delayMs?: number } & Omit<TextInputProps, "value" | "onChange">) {
  const [text, setText] = useDebouncedParam(url, props.name, delayMs);
  return <TextInput {...props} value={text} onChange={setText} />;
}

/** A date (yyyy-mm-dd) kept in the URL under its name. */
export function UrlDate({ url, label, name }: { url: UrlState; label: string; name: string }) {
  return (
    <TextInput
      label={label}
      name={name}
      type="date"
      value={url.get(name)}
      onChange={(value) => {
        url.set({ [name]: value || undefined });
      }}
    />
  );
}

/** A checkbox kept in the URL as `key=1` (absent when unchecked). */
export function UrlFlag({ url, label, name }: { url: UrlState; label: string; name: string }) {
  return (
    <CheckboxInput
      label={label}
      name={name}
      checked={url.get(name) === "1"}
      onChange={(checked) => {
        url.set({ [name]: checked ? "1" : undefined });
      }}
    />
  );
}

/** A select kept in the URL under its name (absent when "" is chosen); `value` is the URL's value
 * as the page understood it (an unknown one shows as the placeholder). */
export function UrlSelect({ url, ...props }: { url: UrlState } & Omit<SelectInputProps, "onChange">) {
  return (
    <SelectInput
      {...props}
      onChange={(next) => {
        url.set({ [props.name]: next || undefined });
      }}
    />
  );
}
