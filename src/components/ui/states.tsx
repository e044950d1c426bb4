"use client";
// What a page shows instead of its content: loading (a spinner, or skeletons shaped like the
// table, card or page to come), nothing there, an error (with a retry), a record that does not
// exist; and a query's content once it has loaded. Everything that shows loading carries
// `data-loading` (the browser tests wait for none to be left).
import { Button, Skeleton, Spinner } from "@heroui/react";
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

/** Grey bars where a table's rows will be. */
export function TableSkeleton({ rows = 4, label = "Loading…" }: { rows?: number; label?: string }) {
  return (
    <div role="status" data-loading="" className="flex w-full flex-col gap-3 py-2">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="flex items-center gap-4">
          <Skeleton className="h-4 w-1/4 rounded-md" />
          <Skeleton className="h-4 w-1/3 rounded-md" />
          <Skeleton className="h-4 flex-1 rounded-md" />
        </div>
      ))}
    </div>
  );
}

/** A grey block where a card's content (a chart, a list of details) will be. */
export function CardSkeleton({ height = 160, label = "Loading…" }: { height?: number; label?: string }) {
  return (
    <div role="status" data-loading="" className="w-full py-1">
      <span className="sr-only">{label}</span>
      <Skeleton className="w-full rounded-lg" style={{ height }} />
    </div>
  );
}

/** A page's shape (a title, a row of cards, a table) while what it needs is being loaded. */
export function PageSkeleton({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" data-loading="" className="flex flex-col gap-6" data-testid="page-skeleton">
      <span className="sr-only">{label}</span>
      <Skeleton className="h-8 w-56 rounded-lg" />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-20 rounded-xl" />
        ))}
      </div>
      <Skeleton className="h-64 rounded-xl" />
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

/**
 * A query's content once it has loaded: a skeleton of `skeletonHeight` before (a spinner with
 * `skeletonHeight={0}`), its error (with a retry if `retry`) after a failure.
 */
export function Loaded({
  query,
  retry = false,
  skeletonHeight = 160,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => Promise<unknown> };
  retry?: boolean;
  skeletonHeight?: number;
  children: ReactNode;
}) {
  if (query.isPending)
    return skeletonHeight > 0 ? <CardSkeleton height={skeletonHeight} /> : <LoadingState />;
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
  if (!query.isError) return <PageSkeleton />;
  return isNotFound(query.error) ? (
    <EmptyState {...notFound} />
  ) : (
    <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  );
}
