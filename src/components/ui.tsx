"use client";
// Building blocks every page uses: headers, states (loading, empty, error), status chips, tables
// with server-side sort and pages, confirmations, copy buttons.
import {
  Button,
  buttonVariants,
  Card,
  Chip,
  Input,
  Label,
  Spinner,
  Table,
  TextArea,
  TextField,
  toast,
  type SortDescriptor,
} from "@heroui/react";
import NextLink from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { errorMessage, isNotFound } from "./errors.ts";
import { CancelButton, Dialog } from "./form-dialog.tsx";
import { codeLabel } from "./form.tsx";

/** Dates arrive from the API as ISO strings (no transformer); accept both. */
export type DateLike = Date | string | null | undefined;

export function toDate(value: DateLike): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "short", day: "2-digit" });

export function formatDateTime(value: DateLike, empty = "—"): string {
  const date = toDate(value);
  return date ? dateTimeFormat.format(date) : empty;
}

export function formatDate(value: DateLike, empty = "—"): string {
  const date = toDate(value);
  return date ? dateFormat.format(date) : empty;
}

/** "in 12 days", "3 days ago" */
export function relativeDays(value: DateLike): string {
  const date = toDate(value);
  if (!date) return "";
  const days = Math.round((date.getTime() - Date.now()) / 86_400_000);
  if (days === 0) return "today";
  return days > 0 ? `in ${days} day${days === 1 ? "" : "s"}` : `${-days} day${days === -1 ? "" : "s"} ago`;
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function Section({
  title,
  actions,
  children,
  className = "",
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <Card className={className}>
      <Card.Header className="flex flex-row items-center justify-between gap-2">
        <Card.Title className="text-base font-semibold">{title}</Card.Title>
        {actions}
      </Card.Header>
      <Card.Content>{children}</Card.Content>
    </Card>
  );
}

export function LoadingState({ label = "Loading…" }: { label?: string }) {
  return (
    <div
      role="status"
      data-loading=""
      className="flex items-center justify-center gap-3 py-12 text-sm text-muted"
    >
      <Spinner size="sm" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({
  title,
  description,
  action,
}: {
  title: string;
  description?: string;
  action?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 py-10 text-center">
      <p className="font-medium">{title}</p>
      {description ? <p className="max-w-md text-sm text-muted">{description}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-col items-center justify-center gap-2 rounded-xl border border-danger/40 bg-danger/5 p-6 text-center"
    >
      <p className="font-medium text-danger">Could not load this</p>
      <p className="text-sm text-muted">{errorMessage(error)}</p>
      {onRetry ? (
        <Button size="sm" variant="secondary" onPress={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

/** A query's content once it has loaded: a spinner before, its error (with a retry if `retry`) after a failure. */
export function Loaded({
  query,
  retry = false,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => Promise<unknown> };
  retry?: boolean;
  children: ReactNode;
}) {
  if (query.isPending) return <LoadingState />;
  if (query.isError) {
    return <ErrorState error={query.error} onRetry={retry ? () => void query.refetch() : undefined} />;
  }
  return children;
}

/**
 * What a record's page shows until its query has the record: a spinner, "no such …" when the
 * server says there is none (or it is out of the admin's groups), or the error with a retry.
 */
export function RecordFallback({
  query,
  notFound,
}: {
  query: { isError: boolean; error: unknown; refetch: () => Promise<unknown> };
  notFound: { title: string; description?: string };
}) {
  if (!query.isError) return <LoadingState />;
  return isNotFound(query.error) ? (
    <EmptyState {...notFound} />
  ) : (
    <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  );
}

/** A record's facts in a narrow column beside its wide sections (each `lg:col-span-2`). */
export function RecordGrid({
  title = "Details",
  details,
  children,
}: {
  title?: string;
  details: [string, ReactNode][];
  children: ReactNode;
}) {
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <Section title={title}>
        <Details items={details} />
      </Section>
      {children}
    </div>
  );
}

const STATUS_COLORS: Record<string, "success" | "warning" | "danger" | "default" | "accent"> = {
  active: "success",
  live: "success",
  valid: "success",
  suspended: "warning",
  late: "warning",
  held: "warning",
  published: "accent",
  revoked: "danger",
  expired: "default",
  retired: "default",
  ended: "default",
  archived: "default",
  disabled: "danger",
};

export function StatusChip({ status, label }: { status: string; label?: string }) {
  return (
    <Chip size="sm" variant="soft" color={STATUS_COLORS[status] ?? "default"} data-status={status}>
      {label ?? codeLabel(status)}
    </Chip>
  );
}

/** A name followed by its status chip when it has one ("archived", "disabled" …). */
export function WithStatus({
  status,
  children,
  className = "gap-2",
}: {
  status: string | null | false;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span className={`flex items-center ${className}`}>
      {children}
      {status ? <StatusChip status={status} /> : null}
    </span>
  );
}

export function RoleChip({ role }: { role: string }) {
  const color =
    role === "super_admin"
      ? "danger"
      : role === "admin"
        ? "warning"
        : role === "editor"
          ? "accent"
          : "default";
  return (
    <Chip size="sm" variant="soft" color={color}>
      {codeLabel(role)}
    </Chip>
  );
}

/** A Next.js link that looks like a button. */
export function LinkButton({
  href,
  children,
  variant = "primary",
  size = "md",
}: {
  href: string;
  children: ReactNode;
  variant?: "primary" | "secondary" | "tertiary" | "ghost" | "outline";
  size?: "sm" | "md" | "lg";
}) {
  return (
    <NextLink href={href} className={buttonVariants({ variant, size })}>
      {children}
    </NextLink>
  );
}

export function TextLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <NextLink href={href} className="font-medium text-accent underline-offset-2 hover:underline">
      {children}
    </NextLink>
  );
}

export interface Column<T> {
  id: string;
  label: string;
  /** the list's sort key when the column is sortable on the server */
  sortKey?: string;
  isRowHeader?: boolean;
  className?: string;
  render: (row: T) => ReactNode;
}

export interface SortState {
  sort: string;
  direction: "asc" | "desc";
}

/**
 * A HeroUI table over one page of server data; sorting is done by the server (the caller passes
 * the URL's sort and changes it), so only columns with a sortKey can be sorted.
 */
export function DataTable<T extends { id: string }>({
  label,
  columns,
  rows,
  sort,
  onSortChange,
  isLoading,
  empty,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  isLoading?: boolean;
  empty: ReactNode;
}) {
  const descriptor: SortDescriptor | undefined = sort
    ? {
        column: columns.find((c) => c.sortKey === sort.sort)?.id ?? "",
        direction: sort.direction === "asc" ? "ascending" : "descending",
      }
    : undefined;
  return (
    <Table>
      <Table.ScrollContainer>
        <Table.Content
          aria-label={label}
          aria-busy={isLoading ? true : undefined}
          sortDescriptor={descriptor}
          onSortChange={(next) => {
            const column = columns.find((c) => c.id === next.column);
            if (column?.sortKey && onSortChange) {
              onSortChange({
                sort: column.sortKey,
                direction: next.direction === "ascending" ? "asc" : "desc",
              });
            }
          }}
        >
          <Table.Header columns={columns}>
            {(column) => (
              <Table.Column
                id={column.id}
                isRowHeader={column.isRowHeader}
                allowsSorting={Boolean(column.sortKey && onSortChange)}
                className={column.className}
              >
                {({ sortDirection }) =>
                  column.sortKey && onSortChange ? (
                    <Table.SortableColumnHeader sortDirection={sortDirection}>
                      {column.label}
                    </Table.SortableColumnHeader>
                  ) : (
                    column.label
                  )
                }
              </Table.Column>
            )}
          </Table.Header>
          <Table.Body
            items={rows ?? []}
            dependencies={[columns]}
            renderEmptyState={() =>
              isLoading || !rows ? <LoadingState /> : <div className="py-2">{empty}</div>
            }
          >
            {(row) => (
              <Table.Row id={row.id} columns={columns}>
                {(column) => <Table.Cell className={column.className}>{column.render(row)}</Table.Cell>}
              </Table.Row>
            )}
          </Table.Body>
        </Table.Content>
      </Table.ScrollContainer>
    </Table>
  );
}

export function Pager({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center justify-between gap-2 text-sm text-muted">
      <span>
        {first}–{last} of {total}
      </span>
      <div className="flex items-center gap-2">
        <Button
          size="sm"
          variant="secondary"
          isDisabled={page <= 1}
          onPress={() => {
            onPage(page - 1);
          }}
        >
          Previous
        </Button>
        <span aria-current="page">
          Page {Math.min(page, pages)} of {pages}
        </span>
        <Button
          size="sm"
          variant="secondary"
          isDisabled={page >= pages}
          onPress={() => {
            onPage(page + 1);
          }}
        >
          Next
        </Button>
      </div>
    </nav>
  );
}

export interface ConfirmButtonProps {
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  reasonLabel?: string;
  onConfirm: (reason: string) => Promise<unknown>;
  isDisabled?: boolean;
  size?: "sm" | "md";
  variant?: "primary" | "secondary" | "tertiary" | "danger" | "danger-soft" | "outline" | "ghost";
}

/** A table's column of one confirmed action a row; `confirm` gives none (false) where it does not apply. */
export function confirmColumn<T>(id: string, confirm: (row: T) => ConfirmButtonProps | false): Column<T> {
  return {
    id,
    label: "",
    render: (row) => {
      const props = confirm(row);
      return props ? <ConfirmButton {...props} /> : null;
    },
  };
}

/**
 * Asks before a consequential action. With `reasonLabel` it also takes an optional reason, passed
 * to onConfirm. The dialog stays open while the action runs and closes when it succeeds.
 */
export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  danger = false,
  reasonLabel,
  onConfirm,
  isDisabled,
  size = "sm",
  variant,
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [reason, setReason] = useState("");
  return (
    <>
      <Button
        size={size}
        variant={variant ?? (danger ? "danger-soft" : "secondary")}
        isDisabled={isDisabled}
        onPress={() => {
          setReason("");
          setOpen(true);
        }}
      >
        {label}
      </Button>
      <Dialog
        title={title}
        isOpen={open}
        onOpenChange={setOpen}
        footer={
          <>
            <CancelButton onOpenChange={setOpen} />
            <Button
              variant={danger ? "danger" : "primary"}
              isPending={pending}
              onPress={() => {
                setPending(true);
                onConfirm(reason.trim())
                  .then(() => {
                    setOpen(false);
                  })
                  .catch(() => {
                    // the mutation's error toast says why; the dialog stays for another try
                  })
                  .finally(() => {
                    setPending(false);
                  });
              }}
            >
              {confirmLabel}
            </Button>
          </>
        }
      >
        <div className="text-sm">{body}</div>
        {reasonLabel ? (
          <TextField value={reason} onChange={setReason} name="reason">
            <Label>{reasonLabel}</Label>
            <TextArea rows={2} />
          </TextField>
        ) : null}
      </Dialog>
    </>
  );
}

function writeClipboard(text: string): Promise<void> {
  // a secure context (https, or this server on localhost); the key stays visible to copy by hand otherwise
  return navigator.clipboard.writeText(text);
}

export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what?: string }) {
  return (
    <Button
      size="sm"
      variant="secondary"
      onPress={() => {
        writeClipboard(text).then(
          () => toast.success(`${what ?? "Text"} copied to the clipboard`),
          () => toast.warning("The browser refused the clipboard: select the text and copy it"),
        );
      }}
    >
      {label}
    </Button>
  );
}

/** A read-only value with a copy button (keys, secrets shown once). */
export function SecretValue({ value, label, what }: { value: string; label: string; what?: string }) {
  return (
    <TextField value={value} isReadOnly>
      <Label>{label}</Label>
      <div className="flex items-center gap-2">
        <Input className="font-mono" aria-label={label} />
        <CopyButton text={value} what={what ?? label} />
      </div>
    </TextField>
  );
}

/** Term/definition rows for detail pages. */
export function Details({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[minmax(8rem,max-content)_1fr] gap-x-6 gap-y-2 text-sm">
      {items.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-muted">{term}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function StatCard({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card>
      <Card.Content className="flex flex-col gap-1">
        <span className="text-sm text-muted">{label}</span>
        <span className="text-3xl font-semibold tabular-nums" data-stat={label}>
          {value}
        </span>
        {hint ? <span className="text-xs text-muted">{hint}</span> : null}
      </Card.Content>
    </Card>
  );
}

/**
 * The archive (or restore) and delete buttons of a record's page, each behind a confirmation.
 * After a successful delete a toast says so, `onDeleted` runs and the record's list opens.
 */
type ArchivableRecord = { id: string; name: string; archivedAt: string | null };

interface ArchiveDeleteProps {
  /** "customer", "product" … */
  kind: string;
  archiveBody: string;
  restoreBody: string;
  deleteBody: string;
  onArchive: (input: { id: string; archived: boolean }) => Promise<unknown>;
  onDelete: (input: { id: string }) => Promise<unknown>;
  onDeleted: () => void;
  listHref: string;
}

/**
 * The header of a record that can be archived: its name (marked when archived), its actions and,
 * where the admin may (`archiving` is false otherwise), the archive and delete buttons.
 */
export function ArchivableRecordHeader({
  record,
  description,
  actions,
  archiving,
}: {
  record: ArchivableRecord;
  description?: ReactNode;
  actions?: ReactNode;
  archiving: ArchiveDeleteProps | false;
}) {
  return (
    <PageHeader
      title={
        <WithStatus status={record.archivedAt && "archived"} className="gap-3">
          {record.name}
        </WithStatus>
      }
      description={description}
      actions={
        <>
          {actions}
          {archiving ? <ArchiveDeleteButtons record={record} {...archiving} /> : null}
        </>
      }
    />
  );
}

function ArchiveDeleteButtons({
  kind,
  record,
  archiveBody,
  restoreBody,
  deleteBody,
  onArchive,
  onDelete,
  onDeleted,
  listHref,
}: ArchiveDeleteProps & { record: ArchivableRecord }) {
  const router = useRouter();
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
  const { id, name } = record;
  const archived = record.archivedAt !== null;
  return (
    <>
      <ConfirmButton
        size="md"
        label={archived ? "Restore" : "Archive"}
        title={archived ? `Restore this ${kind}?` : `Archive this ${kind}?`}
        body={archived ? restoreBody : archiveBody}
        confirmLabel={archived ? "Restore" : "Archive"}
        onConfirm={() => onArchive({ id, archived: !archived })}
      />
      <ConfirmButton
        size="md"
        danger
        label="Delete"
        title={`Delete ${name}?`}
        body={deleteBody}
        confirmLabel={`Delete ${kind}`}
        onConfirm={async () => {
          await onDelete({ id });
          toast.success(`${Kind} ${name} deleted`);
          onDeleted();
          router.push(listHref);
        }}
      />
    </>
  );
}
