"use client";
import { Button, toast } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useMemo } from "react";
import { AuditList } from "@/components/audit/audit-list.tsx";
import { ConfirmButton } from "@/components/ui/confirm-button.tsx";
import { Details } from "@/components/ui/details.tsx";
import { ErrorAlert } from "@/components/ui/error-alert.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { RecordFallback } from "@/components/ui/states.tsx";
import { DeliveryLog } from "@/components/webhooks/delivery-log.tsx";
import { EndpointFormDialog } from "@/components/webhooks/endpoint-form-dialog.tsx";
import {
  DeliveryCounts,
  EndpointStateChip,
  eventsLabel,
  groupsLabel,
} from "@/components/webhooks/labels.tsx";
import { RotateSecretButton } from "@/components/webhooks/rotate-secret-button.tsx";
import { useGroupOptions } from "@/hooks/use-group-options.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

/** how often the endpoint (its counts) refreshes while deliveries are pending */
const REFRESH_MS = 3000;

export default function WebhookEndpointPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const editing = useDialog();
  const groupOptions = useGroupOptions();
  const groupNames = useMemo(() => new Map(groupOptions.map((g) => [g.value, g.label])), [groupOptions]);
  const endpoint = useQuery({
    ...trpc.webhooks.get.queryOptions({ endpointId: id }),
    refetchInterval: (query) => ((query.state.data?.counts.pending ?? 0) > 0 ? REFRESH_MS : false),
  });
  const audit = useQuery({
    ...trpc.audit.list.queryOptions({ targetType: "webhook_endpoint", targetId: id, pageSize: 20 }),
    enabled: can("audit.read"),
  });
  const invalidate = () => {
    invalidateQueries(trpc.webhooks, trpc.audit);
  };
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: invalidate }));
  const sendTest = useMutation(
    trpc.webhooks.sendTest.mutationOptions({
      onSuccess: () => {
        invalidate();
        toast.success("Test event queued: it shows in the delivery log");
      },
    }),
  );
  const remove = useMutation(trpc.webhooks.delete.mutationOptions());

  if (!endpoint.isSuccess) {
    return (
      <RecordFallback
        query={endpoint}
        notFound={{
          title: "No such webhook endpoint",
          description: "It was deleted, or it sends events of groups you are not in.",
        }}
      />
    );
  }
  const e = endpoint.data;
  const write = can("webhook.write");

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span className="break-all font-mono text-lg">{e.url}</span>
            <EndpointStateChip endpoint={e} />
          </span>
        }
        description={e.description || undefined}
        actions={
          write ? (
            <>
              <Button
                isPending={sendTest.isPending}
                isDisabled={!e.enabled}
                onPress={() => {
                  sendTest.mutate({ endpointId: e.id });
                }}
              >
                Send test event
              </Button>
              <OpenButton label="Edit" variant="secondary" onOpen={editing.open} />
              <ConfirmButton
                size="md"
                label={e.enabled ? "Disable" : "Enable"}
                title={e.enabled ? "Disable this endpoint?" : "Enable this endpoint?"}
                body={
                  e.enabled
                    ? "It gets no deliveries for new events until it is enabled again; those already queued stay."
                    : "It gets deliveries for new events again. What it missed can be sent with “Redeliver all failed”, or read from the event feed."
                }
                confirmLabel={e.enabled ? "Disable" : "Enable"}
                onConfirm={() => update.mutateAsync({ endpointId: e.id, enabled: !e.enabled })}
              />
              <RotateSecretButton endpoint={e} />
              <ConfirmButton
                size="md"
                danger
                label="Delete"
                title="Delete this endpoint?"
                body="The endpoint and its delivery log are deleted for good; the events stay in the event feed."
                confirmLabel="Delete endpoint"
                onConfirm={async () => {
                  await remove.mutateAsync({ endpointId: e.id });
                  toast.success("Webhook endpoint deleted");
                  invalidate();
                  router.push("/webhooks");
                }}
              />
            </>
          ) : null
        }
      />
      {!e.enabled && e.disabledReason === "failing" ? (
        <ErrorAlert title="Disabled: its deliveries kept failing" className="mb-4">
          Failing since {formatDateTime(e.failingSince)} without a success. Fix the receiver, enable the
          endpoint, then send what it missed with “Redeliver all failed”.
        </ErrorAlert>
      ) : null}
      <Section title="Settings" className="mb-4">
        <Details
          items={[
            [
              "URL",
              <span key="url" className="break-all font-mono text-xs">
                {e.url}
              </span>,
            ],
            ["Description", e.description || "—"],
            [
              "Events",
              <span key="events" data-testid="webhook-events">
                {eventsLabel(e.events)}
              </span>,
            ],
            ["Groups", groupsLabel(e.groupIds, groupNames)],
            ["State", <EndpointStateChip key="state" endpoint={e} />],
            ...(e.failingSince
              ? ([["Failing since", formatDateTime(e.failingSince)]] as [string, string][])
              : []),
            [
              "Previous secret",
              e.previousSecretUntil
                ? `signs beside the new one until ${formatDateTime(e.previousSecretUntil)}`
                : "none",
            ],
            ["Deliveries", <DeliveryCounts key="counts" counts={e.counts} />],
            ["Created", formatDateTime(e.createdAt)],
            ["Changed", formatDateTime(e.updatedAt)],
          ]}
        />
      </Section>
      <Section title="Delivery log">
        <DeliveryLog endpoint={e} />
      </Section>
      {can("audit.read") ? (
        <Section title="Audit trail" className="mt-4">
          <AuditList events={audit.data?.items ?? []} />
        </Section>
      ) : null}
      <EndpointFormDialog endpoint={e} {...editing} />
    </>
  );
}
