"use client";
// Licenses as a table: the License the pages share, a key in short, the usual columns and the table.
import type { RouterOutputs } from "@/hooks/trpc.ts";
import { StatusChip } from "@/components/ui/chips.tsx";
import { CopyButton } from "@/components/ui/copy.tsx";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { formatDate, relativeDays } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";

export type License = RouterOutputs["licenses"]["get"];

export function shortKey(key: string): string {
  return key.length > 14 ? `${key.slice(0, 9)}…${key.slice(-4)}` : key;
}

export const licenseColumns: Column<License>[] = [
  {
    id: "key",
    label: "Key",
    sortKey: "key",
    isRowHeader: true,
    render: (l) => (
      <span className="flex items-center gap-1 whitespace-nowrap font-mono text-xs">
        <TextLink href={`/licenses/${l.id}`}>{shortKey(l.key)}</TextLink>
        <CopyButton text={l.key} what="License key" iconOnly ariaLabel={`Copy ${l.key}`} />
      </span>
    ),
  },
  {
    id: "customer",
    label: "Customer",
    render: (l) => <TextLink href={`/customers/${l.customer.id}`}>{l.customer.name}</TextLink>,
  },
  { id: "product", label: "Product", render: (l) => l.product.name },
  { id: "status", label: "Status", render: (l) => <StatusChip status={l.effectiveStatus} /> },
  { id: "type", label: "Type", render: (l) => (l.type === "node_locked" ? "node-locked" : "floating") },
  { id: "seats", label: "Seats", render: (l) => `${l.openSessions} / ${l.seatLimit}` },
  {
    id: "expiresAt",
    label: "Expires",
    sortKey: "expiresAt",
    render: (l) =>
      l.expiresAt ? (
        <span title={relativeDays(l.expiresAt)}>{formatDate(l.expiresAt)}</span>
      ) : (
        <span className="text-muted">never</span>
      ),
  },
];

export function LicenseTable({
  rows,
  isLoading,
  empty,
  columns = licenseColumns,
  sort,
  onSortChange,
}: {
  rows: License[] | undefined;
  isLoading?: boolean;
  empty: React.ReactNode;
  columns?: Column<License>[];
  sort?: { sort: string; direction: "asc" | "desc" };
  onSortChange?: (sort: { sort: string; direction: "asc" | "desc" }) => void;
}) {
  return (
    <DataTable
      label="Licenses"
      columns={columns}
      rows={rows}
      isLoading={isLoading}
      empty={empty}
      sort={sort}
      onSortChange={onSortChange}
      rowHref={(l) => `/licenses/${l.id}`}
    />
  );
}
