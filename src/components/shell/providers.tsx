"use client";
// Client-side plumbing for every page: react-query with the tRPC client, toasts, the colour scheme,
// the navigation progress bar (@bprogress/next: a thin bar while the next page loads).
// A query refused with 401 (no session, or it expired) goes to the sign-in page and back after.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { ProgressProvider } from "@bprogress/next/app";
import { Toast, toast } from "@heroui/react";
import { useEffect, useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/trpc/router.ts";
import { TRPCProvider } from "@/hooks/trpc.ts";
import { applyTheme, useUiStore } from "@/stores/ui.ts";
import { errorMessage, isUnauthorized } from "@/lib/trpc-errors.ts";

export function signInUrl(): string {
  const back = `${window.location.pathname}${window.location.search}`;
  return `/sign-in?callbackUrl=${encodeURIComponent(back)}`;
}

let redirecting = false;
function toSignIn(): void {
  if (redirecting || window.location.pathname.startsWith("/sign-in")) return;
  redirecting = true;
  window.location.assign(`${signInUrl()}&expired=1`);
}

function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isUnauthorized(error)) toSignIn();
      },
    }),
    mutationCache: new MutationCache({
      // every failed change says why, in the server's words; forms also mark the fields at fault
      onError: (error) => {
        if (isUnauthorized(error)) {
          toSignIn();
          return;
        }
        toast.danger(errorMessage(error), { timeout: 8000 });
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !isUnauthorized(error) && count < 1,
      },
    },
  });
}

function ThemeSync() {
  const theme = useUiStore((state) => state.theme);
  useEffect(() => {
    applyTheme(theme);
    if (theme !== "system") return;
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => {
      applyTheme("system");
    };
    media.addEventListener("change", onChange);
    return () => {
      media.removeEventListener("change", onChange);
    };
  }, [theme]);
  return null;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc" })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ThemeSync />
        <ProgressProvider
          color="var(--accent)"
          height="3px"
          options={{ showSpinner: false }}
          shallowRouting
          delay={100}
        >
          {children}
        </ProgressProvider>
        <Toast.Provider placement="bottom end" />
      </TRPCProvider>
    </QueryClientProvider>
  );
}
