"use client";
// Audit events as a table: when, who, what, on which record (a link to its page), and what
// changed (audit-details.tsx: "field: from → to", the raw JSON behind a toggle).
import type { RouterOutputs } from "@/hooks/trpc.ts";
import { AuditDetails, recordHref } from "./audit-details.tsx";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { EmptyState } from "@/components/ui/states.tsx";

export type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

function targetHref(e: AuditEvent): string | null {
  return e.targetId ? recordHref(e.targetType, e.targetId) : null;
}

export function AuditList({
  events,
  compact = false,
  isLoading,
}: {
  events: AuditEvent[] | undefined;
  compact?: boolean;
  isLoading?: boolean;
}) {
  const columns: Column<AuditEvent>[] = [
    {
      id: "at",
      label: "When",
      isRowHeader: true,
      className: "whitespace-nowrap",
      render: (e) => <span title={`#${e.seq}`}>{formatDateTime(e.at)}</span>,
    },
    {
      id: "actor",
      label: "Actor",
      render: (e) => (
        <span className="block max-w-56 truncate" title={e.actorLabel}>
          {e.actorLabel}
        </span>
      ),
    },
    {
      id: "action",
      label: "Action",
      render: (e) => <code className="whitespace-nowrap text-xs">{e.action}</code>,
    },
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
        render: (e) => <AuditDetails summary={e.summary} action={e.action} />,
      },
      { id: "ip", label: "Address", render: (e) => e.ip ?? "" },
    );
  }
  return (
    <DataTable
      label="Audit events"
      columns={columns}
      rows={events}
      isLoading={isLoading}
      empty={<EmptyState title="No audit events" />}
      rowHref={targetHref}
    />
  );
}
