"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Column } from "@/components/ui/data-table.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { TextLink } from "@/components/ui/links.tsx";
import { ListTable, useUrlPage } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { EndpointFormDialog } from "@/components/webhooks/endpoint-form-dialog.tsx";
import {
  DeliveryCounts,
  EndpointStateChip,
  eventsLabel,
  type WebhookEndpoint,
} from "@/components/webhooks/labels.tsx";
import { SecretShownOnce } from "@/components/webhooks/secret-shown-once.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const PAGE_SIZE = 25;

const columns: Column<WebhookEndpoint>[] = [
  {
    id: "url",
    label: "URL",
    isRowHeader: true,
    render: (e) => (
      <span className="block max-w-sm truncate font-mono text-xs" title={e.url}>
        <TextLink href={`/webhooks/${e.id}`}>{e.url}</TextLink>
      </span>
    ),
  },
  { id: "description", label: "Description", render: (e) => e.description || "—" },
  {
    id: "events",
    label: "Events",
    render: (e) => (
      <span className="block max-w-xs truncate text-xs" title={eventsLabel(e.events)}>
        {eventsLabel(e.events)}
      </span>
    ),
  },
  { id: "state", label: "State", render: (e) => <EndpointStateChip endpoint={e} /> },
  { id: "deliveries", label: "Deliveries", render: (e) => <DeliveryCounts counts={e.counts} /> },
];

export default function WebhooksPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const url = useUrlState();
  const paging = useUrlPage(url, PAGE_SIZE);
  const creating = useDialog();
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const list = useQuery({
    ...trpc.webhooks.list.queryOptions({ page: paging.page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints the server POSTs events to (license issued, suspended, expiring, seats taken …), signed as Standard Webhooks."
        actions={can("webhook.write") ? <OpenButton label="New endpoint" onOpen={creating.open} /> : null}
      />
      <ListTable
        query={list}
        paging={paging}
        label="Webhook endpoints"
        columns={columns}
        empty={
          <EmptyState
            title="No webhook endpoints"
            description="Add one to have your systems told about license changes as they happen."
          />
        }
      />
      <EndpointFormDialog
        {...creating}
        onCreated={({ endpoint, secret }) => {
          setCreated({ id: endpoint.id, secret });
        }}
      />
      <SecretShownOnce
        title="Your endpoint's signing secret"
        secret={created?.secret ?? null}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) router.push(`/webhooks/${id}`);
        }}
      />
    </>
  );
}
