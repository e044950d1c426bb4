"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { SelectInput, TextInput } from "@/components/form.tsx";
import { LicenseTable } from "@/components/license-bits.tsx";
import { EmptyState, ErrorState, LinkButton, Pager, PageHeader } from "@/components/ui.tsx";
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
  const [search, setSearch] = useState(q);
  const sortParam = url.get("sort", "createdAt");
  const sort = (SORTS as readonly string[]).includes(sortParam)
    ? (sortParam as (typeof SORTS)[number])
    : "createdAt";
  const direction = url.get("direction") === "asc" ? "asc" : "desc";
  const statusParam = url.get("status");
  const status = (STATUSES as readonly string[]).includes(statusParam)
    ? (statusParam as (typeof STATUSES)[number])
    : undefined;
  const productId = url.get("product");
  const expiring = url.getInt("expiring", 0);
  const page = url.getInt("page", 1);
  const products = useQuery(trpc.products.list.queryOptions({ pageSize: 200 }));

  useEffect(() => {
    if (search === q) return;
    const timer = setTimeout(() => {
      url.set({ q: search.trim() || undefined });
    }, 300);
    return () => {
      clearTimeout(timer);
    };
  }, [search, q, url]);

  const list = useQuery({
    ...trpc.licenses.list.queryOptions({
      q: q || undefined,
      status,
      productId: productId || undefined,
      expiringWithinDays: expiring || undefined,
      sort,
      direction,
      page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Licenses"
        description="Every license in your groups: filter, sort, open one to act on it."
        actions={can("license.write") ? <LinkButton href="/licenses/new">Issue license</LinkButton> : null}
      />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <TextInput
          label="Search"
          name="q"
          type="search"
          placeholder="Key or customer"
          value={search}
          onChange={setSearch}
          className="w-64"
        />
        <SelectInput
          label="Status"
          name="status"
          className="w-40"
          value={status ?? ""}
          placeholder="Any status"
          options={STATUSES.map((s) => ({ value: s, label: s }))}
          onChange={(value) => {
            url.set({ status: value || undefined });
          }}
        />
        <SelectInput
          label="Product"
          name="product"
          className="w-48"
          value={productId}
          placeholder="Any product"
          options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          onChange={(value) => {
            url.set({ product: value || undefined });
          }}
        />
        <SelectInput
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
          onChange={(value) => {
            url.set({ expiring: value || undefined });
          }}
        />
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <LicenseTable
            rows={list.data?.items}
            isLoading={list.isPending}
            sort={{ sort, direction }}
            onSortChange={(next) => {
              url.set({ sort: next.sort, direction: next.direction });
            }}
            empty={
              <EmptyState
                title="No licenses match"
                description={
                  q || status || productId || expiring ? "Change the filters." : "Issue the first license."
                }
              />
            }
          />
          {list.data ? (
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              total={list.data.total}
              onPage={(next) => {
                url.set({ page: next });
              }}
            />
          ) : null}
        </>
      )}
    </>
  );
}
