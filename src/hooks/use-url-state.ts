"use client";
// List filters, sort and page live in the URL: a reload, a bookmark or a shared link shows the same view.
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";

export function useUrlState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();

  const get = useCallback((key: string, fallback = ""): string => params.get(key) ?? fallback, [params]);

  const getInt = useCallback(
    (key: string, fallback: number): number => {
      const value = Number(params.get(key));
      return Number.isInteger(value) && value > 0 ? value : fallback;
    },
    [params],
  );

  /** Sets (or, with "" / undefined, removes) keys; any change but the page's own goes back to page 1. */
  const set = useCallback(
    (changes: Record<string, string | number | undefined>) => {
      const next = new URLSearchParams(params.toString());
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === "") next.delete(key);
        else next.set(key, String(value));
      }
      if (!("page" in changes)) next.delete("page");
      const query = next.toString();
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [params, pathname, router],
  );

  return { get, getInt, set };
}
