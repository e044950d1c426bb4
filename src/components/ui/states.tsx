"use client";
// What a page shows instead of its content: loading, nothing there, an error (with a retry), a
// record that does not exist; and a query's content once it has loaded.
import { Button, Spinner } from "@heroui/react";
import type { ReactNode } from "react";
import { errorMessage, isNotFound } from "@/lib/trpc-errors.ts";

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
