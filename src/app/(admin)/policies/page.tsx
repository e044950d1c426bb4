"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { StatusChip } from "@/components/ui/chips.tsx";
import type { Column } from "@/components/ui/data-table.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { archivableNameColumn, Filters, ListTable, UrlFlag, useUrlPage } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { PolicyFormDialog } from "@/components/policies/policy-form-dialog.tsx";
import { ProductPicker } from "@/components/search/pickers.tsx";
import { checkInLabel, durationLabel, typeLabel } from "@/components/policies/terms.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type Policy = RouterOutputs["policies"]["list"]["items"][number];
const PAGE_SIZE = 25;

const columns: Column<Policy>[] = [
  archivableNameColumn("/policies"),
  {
    id: "kind",
    label: "Kind",
    render: (p) => (p.kind === "trial" ? <StatusChip status="trial" /> : "standard"),
  },
  { id: "type", label: "Seats", render: (p) => `${p.seatLimit} ${typeLabel(p.type)}` },
  { id: "duration", label: "Duration", render: (p) => durationLabel(p.durationDays, p.durationFrom) },
  { id: "checkIn", label: "Check-in", render: (p) => checkInLabel(p.checkInIntervalDays) },
  { id: "licenses", label: "Licenses", className: "text-right", render: (p) => p.licenseCount },
];

export default function PoliciesPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const url = useUrlState();
  const paging = useUrlPage(url, PAGE_SIZE);
  const creating = useDialog();
  // the URL's product, else the first one by name: policies belong to a product
  const products = useQuery(trpc.products.list.queryOptions({ sort: "name", pageSize: 1 }));
  const productId = url.get("product") || products.data?.items[0]?.id || "";
  const includeArchived = url.get("archived") === "1";
  // the product page's "New policy" link opens the dialog here
  const wantsNew = url.get("new") === "1" && can("policy.write") && Boolean(productId);
  useEffect(() => {
    if (!wantsNew) return;
    creating.open();
    url.set({ new: undefined });
  }, [wantsNew, creating, url]);
  const list = useQuery({
    ...trpc.policies.list.queryOptions({
      productId,
      includeArchived,
      page: paging.page,
      pageSize: PAGE_SIZE,
    }),
    enabled: Boolean(productId),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Policies"
        description="A product's license terms, set once: licenses issued from a policy follow its changes."
        actions={
          can("policy.write") && productId ? <OpenButton label="New policy" onOpen={creating.open} /> : null
        }
      />
      <Filters>
        <ProductPicker
          label="Product"
          name="product"
          className="w-64"
          value={productId}
          onChange={(id) => {
            url.set({ product: id || undefined });
          }}
        />
        <UrlFlag url={url} label="Show archived" name="archived" />
      </Filters>
      {productId ? (
        <ListTable
          query={list}
          paging={paging}
          label="Policies"
          columns={columns}
          empty={
            <EmptyState
              title="No policies"
              description="A super admin sets up the terms licenses are issued on."
            />
          }
        />
      ) : (
        <EmptyState
          title={products.isPending ? "Loading products…" : "No products yet"}
          description="Policies belong to a product."
        />
      )}
      {productId ? (
        <PolicyFormDialog
          productId={productId}
          {...creating}
          onSaved={(policy) => {
            router.push(`/policies/${policy.id}`);
          }}
        />
      ) : null}
    </>
  );
}
