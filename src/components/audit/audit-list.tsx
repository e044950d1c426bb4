"use client";
// Audit events as a table: when, who, what, on which record, and the change's summary.
import type { RouterOutputs } from "@/hooks/trpc.ts";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { EmptyState } from "@/components/ui/states.tsx";

export type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

function targetHref(e: AuditEvent): string | null {
  if (!e.targetId) return null;
  if (e.targetType === "customer") return `/customers/${e.targetId}`;
  if (e.targetType === "license") return `/licenses/${e.targetId}`;
  if (e.targetType === "product") return `/products/${e.targetId}`;
  return null;
}

function summaryText(summary: Record<string, unknown>): string {
  const text = JSON.stringify(summary);
  return text === "{}" ? "" : text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

export function AuditList({ events, compact = false }: { events: AuditEvent[]; compact?: boolean }) {
  const columns: Column<AuditEvent>[] = [
    {
      id: "at",
      label: "When",
      isRowHeader: true,
      className: "whitespace-nowrap",
      render: (e) => <span title={`#${e.seq}`}>{formatDateTime(e.at)}</span>,
    },
    { id: "actor", label: "Actor", render: (e) => e.actorLabel },
    { id: "action", label: "Action", render: (e) => <code className="text-xs">{e.action}</code> },
    {
      id: "target",
      label: "Target",
      render: (e) => {
        const href = targetHref(e);
        // ids are time-ordered (UUIDv7): their end tells them apart
        const text = `${e.targetType}${e.targetId ? ` …${e.targetId.slice(-6)}` : ""}`;
        return (
          <span title={e.targetId ?? undefined} className="whitespace-nowrap">
            {href ? <TextLink href={href}>{text}</TextLink> : text}
          </span>
        );
      },
    },
  ];
  if (!compact) {
    columns.push(
      {
        id: "summary",
        label: "Details",
        render: (e) => (
          <span
            className="block max-w-md break-all font-mono text-xs text-muted"
            title={JSON.stringify(e.summary)}
          >
            {summaryText(e.summary)}
          </span>
        ),
      },
      { id: "ip", label: "Address", render: (e) => e.ip ?? "" },
    );
  }
  return (
    <DataTable
      label="Audit events"
      columns={columns}
      rows={events}
      empty={<EmptyState title="No audit events" />}
    />
  );
}
