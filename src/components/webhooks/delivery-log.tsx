"use client";
// An endpoint's delivery log: its deliveries newest first (filtered by status, paged, both in the
// URL), each one's attempts in a dialog, "Redeliver" per delivery and "Redeliver all failed". While
// deliveries are pending the log refreshes itself, since the worker sends them in the background.
import { Button, toast } from "@heroui/react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { ConfirmButton } from "@/components/ui/confirm-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { Filters, ListTable, UrlSelect, useUrlPage } from "@/components/ui/list-page.tsx";
import { codeOptions } from "@/components/ui/select-input.tsx";
import { EmptyState, Loaded } from "@/components/ui/states.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";
import { DELIVERY_STATUSES } from "@/server/core/webhooks/schemas.ts";
import {
  DeliveryStatusChip,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "./labels.tsx";

const PAGE_SIZE = 25;
/** how often the log refreshes while deliveries are pending */
const REFRESH_MS = 3000;

function Excerpt({ text }: { text: string | null }) {
  if (!text) return <span className="text-muted">—</span>;
  return (
    <pre className="max-h-24 max-w-md overflow-auto whitespace-pre-wrap break-all rounded bg-default/40 p-1 font-mono text-xs">
      {text}
    </pre>
  );
}

function AttemptsDialog({ delivery, onClose }: { delivery: WebhookDelivery | null; onClose: () => void }) {
  const trpc = useTRPC();
  const attempts = useQuery({
    ...trpc.webhooks.attempts.queryOptions({ deliveryId: delivery?.id ?? "" }),
    enabled: delivery !== null,
  });
  const columns: Column<WebhookAttempt>[] = [
    { id: "at", label: "Time", isRowHeader: true, render: (a) => formatDateTime(a.at) },
    { id: "attempt", label: "Attempt", className: "text-right", render: (a) => a.attempt },
    {
      id: "status",
      label: "Status code",
      render: (a) =>
        a.statusCode === null ? (
          <span className="text-muted">none</span>
        ) : (
          <span className={a.statusCode >= 200 && a.statusCode < 300 ? "text-success" : "text-danger"}>
            {a.statusCode}
          </span>
        ),
    },
    { id: "latency", label: "Latency (ms)", className: "text-right", render: (a) => a.latencyMs },
    { id: "response", label: "Response", render: (a) => <Excerpt text={a.responseExcerpt} /> },
    {
      id: "error",
      label: "Error",
      render: (a) => (a.error ? <span className="text-danger text-xs">{a.error}</span> : "—"),
    },
  ];
  return (
    <Dialog
      title={delivery ? `Attempts of ${delivery.eventType}` : "Attempts"}
      isOpen={delivery !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      size="lg"
      footer={<Button onPress={onClose}>Close</Button>}
    >
      {delivery ? (
        <p className="text-sm text-muted">
          Event <code className="text-xs">{delivery.eventId}</code>, delivery{" "}
          <code className="text-xs">{delivery.id}</code>
        </p>
      ) : null}
      <Loaded query={attempts} retry>
        <DataTable<WebhookAttempt>
          label="Attempts"
          rows={attempts.data}
          columns={columns}
          empty={<EmptyState title="Not tried yet" description="The worker sends it when it is due." />}
        />
      </Loaded>
    </Dialog>
  );
}

export function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const url = useUrlState();
  const paging = useUrlPage(url, PAGE_SIZE);
  const statusParam = url.get("status");
  const status = DELIVERY_STATUSES.find((s) => s === statusParam);
  const write = can("webhook.write");
  const list = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({
      endpointId: endpoint.id,
      status,
      page: paging.page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
    // while the endpoint has pending deliveries, and until the rows shown are no longer pending
    refetchInterval: (query) =>
      endpoint.counts.pending > 0 || query.state.data?.items.some((d) => d.status === "pending")
        ? REFRESH_MS
        : false,
  });
  const [shown, setShown] = useState<WebhookDelivery | null>(null);
  const invalidate = () => {
    invalidateQueries(trpc.webhooks, trpc.audit);
  };
  const redeliver = useMutation(
    trpc.webhooks.redeliver.mutationOptions({
      onSuccess: (delivery) => {
        invalidate();
        toast.success(`${delivery.eventType} queued to be sent again`);
      },
    }),
  );
  const redeliverFailed = useMutation(
    trpc.webhooks.redeliverFailed.mutationOptions({
      onSuccess: ({ count, remaining }) => {
        invalidate();
        toast.success(
          `${count} failed deliver${count === 1 ? "y" : "ies"} queued again` +
            (remaining > 0 ? `; ${remaining} still failed: press again for the rest` : ""),
        );
      },
    }),
  );

  const columns: Column<WebhookDelivery>[] = [
    { id: "time", label: "Time", isRowHeader: true, render: (d) => formatDateTime(d.createdAt) },
    { id: "type", label: "Event type", render: (d) => <code className="text-xs">{d.eventType}</code> },
    {
      id: "eventId",
      label: "Event id",
      render: (d) => (
        <code className="text-xs" title={d.eventId}>
          {d.eventId}
        </code>
      ),
    },
    { id: "status", label: "Status", render: (d) => <DeliveryStatusChip delivery={d} /> },
    { id: "attempts", label: "Attempts", className: "text-right", render: (d) => d.attempts },
    {
      id: "code",
      label: "Last status",
      render: (d) => (d.lastStatusCode === null ? "—" : d.lastStatusCode),
    },
    {
      id: "next",
      label: "Next attempt / completed",
      render: (d) =>
        d.status === "pending"
          ? `next ${formatDateTime(d.nextAttemptAt, "—")}`
          : `${d.status} ${formatDateTime(d.completedAt)}`,
    },
    {
      id: "error",
      label: "Last error",
      render: (d) =>
        d.lastError ? (
          <span className="block max-w-xs truncate text-xs text-danger" title={d.lastError}>
            {d.lastError}
          </span>
        ) : (
          "—"
        ),
    },
    {
      id: "actions",
      label: "",
      render: (d) => (
        <div className="flex gap-2">
          <Button
            size="sm"
            variant="secondary"
            onPress={() => {
              setShown(d);
            }}
          >
            Attempts
          </Button>
          {write ? (
            <Button
              size="sm"
              variant="secondary"
              isPending={redeliver.isPending && redeliver.variables.deliveryId === d.id}
              onPress={() => {
                redeliver.mutate({ deliveryId: d.id });
              }}
            >
              Redeliver
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <>
      <Filters className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-wrap items-end gap-4">
          <UrlSelect
            url={url}
            label="Status"
            name="status"
            className="w-48"
            value={status ?? ""}
            placeholder="All"
            options={codeOptions(DELIVERY_STATUSES)}
          />
          <Button
            variant="secondary"
            onPress={() => {
              void list.refetch();
            }}
          >
            Refresh
          </Button>
        </div>
        {write ? (
          <div className="flex items-center gap-3">
            {redeliverFailed.data ? (
              <span className="text-sm text-muted" data-testid="webhook-redeliver-failed-result">
                {redeliverFailed.data.count} queued again, {redeliverFailed.data.remaining} remaining
              </span>
            ) : null}
            <ConfirmButton
              size="md"
              label="Redeliver all failed"
              isDisabled={endpoint.counts.failed === 0}
              title="Send the failed deliveries again?"
              body={`${endpoint.counts.failed} failed deliver${endpoint.counts.failed === 1 ? "y is" : "ies are"} queued again (at most 10 000 at a time), with the same event ids and bodies.`}
              confirmLabel="Redeliver failed"
              onConfirm={() => redeliverFailed.mutateAsync({ endpointId: endpoint.id })}
            />
          </div>
        ) : null}
      </Filters>
      <ListTable<WebhookDelivery>
        query={list}
        paging={paging}
        label="Deliveries"
        columns={columns}
        empty={
          <EmptyState
            title={status ? `No ${status} deliveries` : "No deliveries yet"}
            description="Each event the endpoint wants, and each test event, is a delivery."
          />
        }
      />
      <AttemptsDialog
        delivery={shown}
        onClose={() => {
          setShown(null);
        }}
      />
    </>
  );
}
