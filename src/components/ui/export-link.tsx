"use client";
// "Export CSV" on a list: a download link to the list's export route (docs/exports.md) with the
// list's current filters; the browser's session cookie authenticates it.
import { buttonVariants } from "@heroui/react";

/** `params`: the list's API filters (empty values left out). */
export function ExportCsvLink({
  path,
  params,
  label = "Export CSV",
  size = "md",
}: {
  /** e.g. "/api/v1/licenses/export.csv" */
  path: string;
  params: Record<string, string | number | undefined>;
  label?: string;
  size?: "sm" | "md";
}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") query.set(key, String(value));
  }
  const href = query.size > 0 ? `${path}?${query.toString()}` : path;
  return (
    <a href={href} download className={buttonVariants({ variant: "secondary", size })}>
      {label}
    </a>
  );
}

/**
 * Posts `body` to an export route and saves the answer as the file it names (for exports whose
 * filters do not fit a URL: a selection of ids).
 */
export async function downloadExport(path: string, body: unknown): Promise<string> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const error = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(error.message ?? `export failed (${response.status})`);
  }
  const name =
    /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "export.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
  return name;
}
