"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { BulkToolbar } from "@/components/licenses/bulk-toolbar.tsx";
import { licenseColumns } from "@/components/licenses/license-table.tsx";
import { CustomerPicker, ProductPicker } from "@/components/search/pickers.tsx";
import { ExportCsvLink } from "@/components/ui/export-link.tsx";
import { LinkButton } from "@/components/ui/links.tsx";
import {
  Filters,
  ListTable,
  UrlSelect,
  UrlText,
  useUrlPage,
  useUrlSort,
} from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { codeOptions } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const SORTS = ["createdAt", "expiresAt", "updatedAt", "key"] as const;
const STATUSES = ["active", "suspended", "revoked", "expired"] as const;
const PAGE_SIZE = 25;

export default function LicensesPage() {
  const trpc = useTRPC();
  const can = useCan();
  const url = useUrlState();
  const q = url.get("q");
  const { sort, direction, sorting } = useUrlSort(url, SORTS, "createdAt", "desc");
  const statusParam = url.get("status");
  const status = STATUSES.find((s) => s === statusParam);
  const productId = url.get("product");
  const expiring = url.getInt("expiring", 0);
  const paging = useUrlPage(url, PAGE_SIZE);
  const customerId = url.get("customer");

  const list = useQuery({
    ...trpc.licenses.list.queryOptions({
      q: q || undefined,
      status,
      productId: productId || undefined,
      customerId: customerId || undefined,
      expiringWithinDays: expiring || undefined,
      sort,
      direction,
      page: paging.page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });

  // the selection outlives paging and filtering (the toolbar says how many); keys for its summary
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [keys] = useState(() => new Map<string, string>());
  for (const row of list.data?.items ?? []) keys.set(row.id, row.key);
  const filters = {
    q: q || undefined,
    status,
    productId: productId || undefined,
    customerId: customerId || undefined,
    expiringWithinDays: expiring || undefined,
    sort,
    direction,
  };

  return (
    <>
      <PageHeader
        title="Licenses"
        description="Every license in your groups: filter, sort, open one to act on it."
        actions={
          <>
            <ExportCsvLink path="/api/v1/licenses/export.csv" params={filters} />
            {can("license.write") ? <LinkButton href="/licenses/new">Issue license</LinkButton> : null}
          </>
        }
      />
      <Filters>
        <UrlText
          url={url}
          label="Search"
          name="q"
          type="search"
          placeholder="Key or customer"
          className="w-64"
        />
        <UrlSelect
          url={url}
          label="Status"
          name="status"
          className="w-40"
          value={status ?? ""}
          placeholder="Any status"
          options={codeOptions(STATUSES)}
        />
        <ProductPicker
          label="Product"
          name="product"
          className="w-56"
          value={productId}
          noneLabel="Any product"
          placeholder="Any product"
          onChange={(id) => {
            url.set({ product: id || undefined });
          }}
        />
        <CustomerPicker
          label="Customer"
          name="customer"
          className="w-56"
          value={customerId}
          noneLabel="Any customer"
          placeholder="Any customer"
          onChange={(id) => {
            url.set({ customer: id || undefined });
          }}
        />
        <UrlSelect
          url={url}
          label="Expiring"
          name="expiring"
          className="w-44"
          value={expiring ? String(expiring) : ""}
          placeholder="Any time"
          options={[
            { value: "7", label: "within 7 days" },
            { value: "30", label: "within 30 days" },
            { value: "90", label: "within 90 days" },
          ]}
        />
      </Filters>
      <BulkToolbar
        selected={selected}
        keyOf={(id) => keys.get(id) ?? null}
        onClear={() => {
          setSelected(new Set());
        }}
      />
      <ListTable
        query={list}
        paging={paging}
        label="Licenses"
        rowHref={(row) => `/licenses/${row.id}`}
        columns={licenseColumns}
        selectedIds={selected}
        onSelectionChange={(ids) => {
          // this page's rows as the table says, the other pages' as they were
          const onPage = new Set((list.data?.items ?? []).map((r) => r.id));
          setSelected(new Set([...[...selected].filter((id) => !onPage.has(id)), ...ids]));
        }}
        {...sorting}
        empty={
          <EmptyState
            title="No licenses match"
            description={
              q || status || productId || customerId || expiring
                ? "Change the filters."
                : "Issue the first license."
            }
          />
        }
      />
    </>
  );
}
