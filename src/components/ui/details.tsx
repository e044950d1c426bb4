"use client";
// A record's facts as term/definition rows, and the grid of a record's page with them beside its sections.
import type { ReactNode } from "react";
import { Section } from "./page.tsx";

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
