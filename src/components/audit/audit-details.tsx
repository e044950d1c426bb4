"use client";
// An audit event's summary as people read it: each change as "field: from → to", the records it
// names by id as links to their pages, dates as dates; the raw JSON behind a "raw" toggle.
import type { ReactNode } from "react";
import { formatDateTime } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";

/** Where the records named by id have a page (by the summary's key, or the event's target type). */
const RECORD_PAGES: Record<string, string> = {
  customer: "/customers",
  license: "/licenses",
  product: "/products",
  policy: "/policies",
  webhook: "/webhooks",
  webhook_endpoint: "/webhooks",
  endpoint: "/webhooks",
  trialCustomer: "/customers",
  sourceLicense: "/licenses",
  convertedLicense: "/licenses",
};

/** The page of the record `id` of the kind `kind` (a target type, or a key without its "Id"). */
export function recordHref(kind: string, id: string): string | null {
  const base = RECORD_PAGES[kind];
  return base ? `${base}/${encodeURIComponent(id)}` : null;
}

/** "seatLimit" → "seat limit", "expires_at" → "expires at" */
export function fieldLabel(key: string): string {
  return key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function shortId(id: string): string {
  // ids are time-ordered (UUIDv7): their end tells them apart
  return id.length > 12 ? `…${id.slice(-6)}` : id;
}

/** One value: a link when `kind` names a record with a page, a date, a list, or the text. */
function Value({ value, kind, text }: { value: unknown; kind?: string; text?: string }): ReactNode {
  if (value === null || value === undefined || value === "") return <span className="text-muted">none</span>;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return value.toLocaleString("en");
  if (typeof value === "string") {
    const href = kind ? recordHref(kind, value) : null;
    // the link reads as the short id (the name beside it is text: links named like the record's
    // own links elsewhere on the page would be ambiguous)
    if (href)
      return (
        <span title={value}>
          {text ? `${text} (` : null}
          <TextLink href={href}>{shortId(value)}</TextLink>
          {text ? ")" : null}
        </span>
      );
    if (ISO_DATE.test(value)) return <span title={value}>{formatDateTime(value)}</span>;
    return value.length > 80 ? <span title={value}>{`${value.slice(0, 77)}…`}</span> : value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="text-muted">none</span>;
    return (
      <>
        {value.map((item, i) => (
          <span key={i}>
            {i > 0 ? ", " : null}
            <Value value={itemLabel(item)} kind={kind} />
          </span>
        ))}
      </>
    );
  }
  const json = JSON.stringify(value);
  return <code className="text-xs">{json.length > 80 ? `${json.slice(0, 77)}…` : json}</code>;
}

/** An entitlement or a term in a list reads as its code (and quota), other objects as JSON. */
function itemLabel(item: unknown): unknown {
  if (item && typeof item === "object" && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    const name = o.code ?? o.featureCode ?? o.name ?? o.kid;
    if (typeof name === "string")
      return typeof o.quota === "number" ? `${name} (${o.quota.toLocaleString("en")})` : name;
  }
  return item;
}

function isChange(value: unknown): value is { from: unknown; to: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    "from" in value &&
    "to" in value
  );
}

/** What the key names: "customerId" → "customer", "groupIds" → "group". */
function kindOf(key: string): string | undefined {
  const match = /^(.+?)Ids?$/.exec(key);
  return match?.[1];
}

export interface DetailLine {
  key: string;
  label: string;
  from?: unknown;
  to?: unknown;
  value?: unknown;
  kind?: string;
  /** the name of a record named by id (from the summary), shown beside its link */
  text?: string;
}

/**
 * The lines of a summary: a top-level `from`/`to` (a status change) first as the target's
 * "status", then each field; a field that is a {from, to} pair is a change, nested objects
 * (other than changes) are flattened one level ("set · status").
 */
export function detailLines(summary: Record<string, unknown>, action = ""): DetailLine[] {
  const lines: DetailLine[] = [];
  const { from, to, ...rest } = summary;
  if (from !== undefined || to !== undefined) {
    const what = /\.(suspend|reinstate|revoke|expire|status)/.test(action) ? "status" : "value";
    lines.push({ key: "from-to", label: what, from, to, kind: undefined });
  }
  // "customerId" beside "customer": "Initech" reads as one line: the name, and the id linked
  const names = new Set<string>();
  for (const key of Object.keys(rest)) {
    const kind = kindOf(key);
    if (kind && typeof rest[key] === "string" && typeof rest[kind] === "string") names.add(kind);
  }
  for (const [key, value] of Object.entries(rest)) {
    if (names.has(key)) continue;
    const kind = kindOf(key);
    if (kind && names.has(kind) && typeof value === "string") {
      lines.push({ key, label: fieldLabel(kind), value, kind, text: rest[kind] as string });
      continue;
    }
    if (isChange(value)) {
      lines.push({ key, label: fieldLabel(key), from: value.from, to: value.to, kind });
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        lines.push({
          key: `${key}.${inner}`,
          label: `${fieldLabel(key)} · ${fieldLabel(inner)}`,
          value: innerValue,
          kind: kindOf(inner),
        });
      }
    } else {
      lines.push({ key, label: fieldLabel(key), value, kind });
    }
  }
  return lines;
}

export function AuditDetails({ summary, action }: { summary: Record<string, unknown>; action: string }) {
  const lines = detailLines(summary, action);
  if (lines.length === 0) return <span className="text-muted">—</span>;
  return (
    <div className="flex min-w-56 max-w-md flex-col gap-0.5 text-xs" data-testid="audit-details">
      <ul className="flex flex-col gap-0.5">
        {lines.map((line) => (
          <li key={line.key} className="break-words">
            <span className="text-muted">{line.label}: </span>
            {"from" in line || "to" in line ? (
              <span data-change="">
                <Value value={line.from} kind={line.kind} /> <span aria-label="changed to">→</span>{" "}
                <Value value={line.to} kind={line.kind} />
              </span>
            ) : (
              <Value value={line.value} kind={line.kind} text={line.text} />
            )}
          </li>
        ))}
      </ul>
      <details className="text-muted">
        <summary className="cursor-pointer select-none">raw</summary>
        <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-default p-2 font-mono">
          {JSON.stringify(summary, null, 2)}
        </pre>
      </details>
    </div>
  );
}
