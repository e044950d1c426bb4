import { Suspense, type ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell.tsx";
import { PageSkeleton } from "@/components/ui/states.tsx";

// Everything here is per admin and per request: nothing to prerender.
export const dynamic = "force-dynamic";

export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <AppShell>
      <Suspense fallback={<PageSkeleton />}>{children}</Suspense>
    </AppShell>
  );
}
