"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { licenseColumns } from "@/components/licenses/license-table.tsx";
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
  const products = useQuery(trpc.products.list.queryOptions({ pageSize: 200 }));

  const list = useQuery({
    ...trpc.licenses.list.queryOptions({
      q: q || undefined,
      status,
      productId: productId || undefined,
      expiringWithinDays: expiring || undefined,
      sort,
      direction,
      page: paging.page,
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
        <UrlSelect
          url={url}
          label="Product"
          name="product"
          className="w-48"
          value={productId}
          placeholder="Any product"
          options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
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
      <ListTable
        query={list}
        paging={paging}
        label="Licenses"
        rowHref={(row) => `/licenses/${row.id}`}
        columns={licenseColumns}
        {...sorting}
        empty={
          <EmptyState
            title="No licenses match"
            description={
              q || status || productId || expiring ? "Change the filters." : "Issue the first license."
            }
          />
        }
      />
    </>
  );
}
