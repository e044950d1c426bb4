"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ProductPicker } from "@/components/search/pickers.tsx";
import { StatusChip } from "@/components/ui/chips.tsx";
import type { Column } from "@/components/ui/data-table.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDate, formatDateTime, relativeDays } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { Filters, ListTable, UrlSelect, useUrlPage } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { codeOptions } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { ConvertTrialDialog, type Trial } from "@/components/trials/convert-trial-dialog.tsx";
import { TRIAL_STATUSES, type TrialStatus } from "@/server/core/trials/schemas.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const PAGE_SIZE = 25;

export default function TrialsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const url = useUrlState();
  const paging = useUrlPage(url, PAGE_SIZE);
  const statusParam = url.get("status");
  const status = TRIAL_STATUSES.find((s) => s === statusParam);
  const productId = url.get("product");
  const list = useQuery({
    ...trpc.trials.list.queryOptions({
      status,
      productId: productId || undefined,
      page: paging.page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  const [converting, setConverting] = useState<Trial | null>(null);
  const dialog = useDialog();

  const columns: Column<Trial>[] = [
    {
      id: "machine",
      label: "Machine",
      isRowHeader: true,
      render: (t) => <span title={t.fingerprint}>{t.hostname || t.fingerprint}</span>,
    },
    { id: "product", label: "Product", render: (t) => t.product.name },
    {
      id: "status",
      label: "Status",
      render: (t) => <StatusChip status={t.status} label={statusLabel(t.status)} />,
    },
    { id: "started", label: "Started", render: (t) => formatDateTime(t.startedAt) },
    {
      id: "ends",
      label: "Ends",
      render: (t) =>
        t.status === "converted"
          ? `converted ${formatDate(t.convertedAt)}`
          : t.expiresAt
            ? `${formatDate(t.expiresAt)} (${relativeDays(t.expiresAt)})`
            : "—",
    },
    {
      id: "license",
      label: "License",
      render: (t) => (
        <TextLink href={`/licenses/${t.convertedLicenseId ?? t.licenseId}`}>
          <span className="font-mono text-xs">{t.licenseKey}</span>
        </TextLink>
      ),
    },
    { id: "customer", label: "Customer", render: (t) => t.customer.name },
    {
      id: "actions",
      label: "",
      render: (t) =>
        can("trial.convert") && t.status !== "converted" ? (
          <OpenButton
            label="Convert"
            size="sm"
            variant="secondary"
            onOpen={() => {
              setConverting(t);
              dialog.open();
            }}
          />
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader
        title="Trials"
        description="Trials the shipped software started on a machine, and which became paid licenses."
      />
      <Filters>
        <UrlSelect
          url={url}
          label="Status"
          name="status"
          className="w-48"
          value={status ?? ""}
          placeholder="All"
          options={codeOptions(TRIAL_STATUSES).map((o) => ({
            ...o,
            label: statusLabel(o.value as TrialStatus),
          }))}
        />
        <ProductPicker
          label="Product"
          name="product"
          className="w-64"
          value={productId}
          noneLabel="All products"
          placeholder="All products"
          onChange={(id) => {
            url.set({ product: id || undefined });
          }}
        />
      </Filters>
      <ListTable
        query={list}
        paging={paging}
        label="Trials"
        columns={columns}
        empty={
          <EmptyState
            title="No trials"
            description="A product with a trial policy lets its software start one trial per machine."
          />
        }
      />
      <ConvertTrialDialog trial={converting} {...dialog} />
    </>
  );
}

function statusLabel(status: TrialStatus): string {
  return status === "active" ? "running" : status;
}
