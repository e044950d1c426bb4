"use client";
// The frame of every admin page: navigation that follows the role, the signed-in admin, the
// colour scheme and sign-out. Pages render only once the session is known to be good.
import { Alert, Button, Chip } from "@heroui/react";
import { useQuery } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import NextLink from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import type { Permission } from "@/server/core/access/policy.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUiStore, type ThemeChoice } from "@/stores/ui.ts";
import { CommandPalette } from "@/components/search/command-palette.tsx";
import { RoleChip } from "@/components/ui/chips.tsx";
import { ErrorState, LoadingState } from "@/components/ui/states.tsx";

interface NavItem {
  href: string;
  label: string;
  permission?: Permission;
}

const NAV: { title: string; items: NavItem[] }[] = [
  {
    title: "Licensing",
    items: [
      { href: "/", label: "Dashboard" },
      { href: "/customers", label: "Customers" },
      { href: "/licenses", label: "Licenses" },
      { href: "/products", label: "Products" },
      { href: "/policies", label: "Policies", permission: "policy.read" },
      { href: "/trials", label: "Trials", permission: "trial.read" },
    ],
  },
  {
    title: "Administration",
    items: [
      { href: "/groups", label: "Groups" },
      { href: "/admins", label: "Admins", permission: "admin.manage" },
      { href: "/api-keys", label: "API keys" },
      { href: "/webhooks", label: "Webhooks", permission: "webhook.read" },
      { href: "/audit", label: "Audit log", permission: "audit.read" },
      { href: "/signing-keys", label: "Signing keys", permission: "signing_key.read" },
      { href: "/settings", label: "Settings" },
    ],
  },
];

function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

function ThemeSelect() {
  const theme = useUiStore((s) => s.theme);
  const setTheme = useUiStore((s) => s.setTheme);
  return (
    <label className="flex items-center gap-2 text-sm text-muted">
      <span className="sr-only sm:not-sr-only">Theme</span>
      <select
        aria-label="Colour scheme"
        value={theme}
        onChange={(event) => {
          setTheme(event.target.value as ThemeChoice);
        }}
        className="h-8 rounded-lg border border-border bg-field-background px-2 text-sm text-foreground"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const me = useMe();
  const can = useCan();
  const trpc = useTRPC();
  const settings = useQuery({ ...trpc.settings.get.queryOptions({}), enabled: me.isSuccess });
  const collapsed = useUiStore((s) => s.sidebarCollapsed);
  const toggleSidebar = useUiStore((s) => s.toggleSidebar);

  if (me.isPending) {
    return (
      <div className="flex min-h-screen items-center justify-center">
        <LoadingState label="Checking your session…" />
      </div>
    );
  }
  if (me.isError) {
    // 401 is sent to the sign-in page by the query cache; anything else is shown
    return (
      <div className="mx-auto mt-24 max-w-md">
        <ErrorState
          error={me.error}
          onRetry={() => {
            void me.refetch();
          }}
        />
      </div>
    );
  }
  const admin = me.data;

  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:p-2"
      >
        Skip to content
      </a>
      <aside
        className={`${collapsed ? "hidden" : "flex"} w-56 shrink-0 flex-col border-r border-separator bg-surface px-3 py-4 md:flex`}
        aria-label="Main navigation"
      >
        <NextLink href="/" className="mb-6 px-2 text-lg font-semibold tracking-tight">
          License Server
        </NextLink>
        <nav className="flex flex-col gap-5">
          {NAV.map((section) => (
            <div key={section.title} className="flex flex-col gap-1">
              <span className="px-2 text-xs font-medium uppercase tracking-wide text-muted">
                {section.title}
              </span>
              {section.items
                .filter((item) => !item.permission || can(item.permission))
                .map((item) => {
                  const active = isActive(pathname, item.href);
                  return (
                    <NextLink
                      key={item.href}
                      href={item.href}
                      aria-current={active ? "page" : undefined}
                      className={`rounded-lg px-2 py-1.5 text-sm transition-colors ${
                        active ? "bg-accent/10 font-medium text-accent" : "text-foreground hover:bg-default"
                      }`}
                    >
                      {item.label}
                    </NextLink>
                  );
                })}
            </div>
          ))}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-4 border-b border-separator px-4 md:px-6">
          <Button
            size="sm"
            variant="ghost"
            className="md:hidden"
            onPress={toggleSidebar}
            aria-label="Toggle navigation"
          >
            Menu
          </Button>
          <div className="flex flex-1 items-center justify-end gap-3">
            <CommandPalette />
            <ThemeSelect />
            <NextLink
              href="/profile"
              className="flex items-center gap-2 text-sm hover:underline"
              data-testid="me"
            >
              <span className="hidden sm:inline">{admin.name || admin.email}</span>
              <RoleChip role={admin.role} />
              {admin.totpEnabled ? null : (
                <Chip size="sm" variant="soft" color="warning">
                  no 2FA
                </Chip>
              )}
            </NextLink>
            <Button
              size="sm"
              variant="secondary"
              onPress={() => {
                void signOut({ callbackUrl: "/sign-in" });
              }}
            >
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 md:px-8">
          {settings.data?.requireTwoFactor && !admin.totpEnabled && pathname !== "/profile" ? (
            <Alert status="warning" className="mb-6">
              <Alert.Content>
                <Alert.Title>Two-factor authentication is required on this server</Alert.Title>
                <Alert.Description>
                  Set it up on{" "}
                  <NextLink href="/profile" className="underline">
                    your profile
                  </NextLink>{" "}
                  to use the console.
                </Alert.Description>
              </Alert.Content>
            </Alert>
          ) : null}
          {children}
        </main>
      </div>
    </div>
  );
}
