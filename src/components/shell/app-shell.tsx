"use client";
// The frame of every admin page: navigation that follows the role (a sidebar from the md
// breakpoint, a drawer under it: closed by default and after each navigation), the signed-in
// admin, the colour scheme, the API docs and sign-out. The frame renders at once; the page inside
// waits for the session to be known good (a skeleton meanwhile, no full-screen block).
import { Alert, Button, Chip, Drawer, Skeleton } from "@heroui/react";
import { useQuery } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import NextLink from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import type { Permission } from "@/server/core/access/policy.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUiStore, type ThemeChoice } from "@/stores/ui.ts";
import { CommandPalette } from "@/components/search/command-palette.tsx";
import { RoleChip } from "@/components/ui/chips.tsx";
import { ErrorState, PageSkeleton } from "@/components/ui/states.tsx";

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
    <label className="flex shrink-0 items-center gap-2 text-sm text-muted">
      <span className="sr-only lg:not-sr-only">Theme</span>
      <select
        aria-label="Colour scheme"
        value={theme}
        onChange={(event) => {
          setTheme(event.target.value as ThemeChoice);
        }}
        className="h-8 rounded-lg border border-border bg-field-background px-1 text-sm text-foreground sm:px-2"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** The navigation's links (the sidebar's and the drawer's); `onNavigate` runs on a click. */
function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const can = useCan();
  return (
    <nav className="flex flex-col gap-5">
      {NAV.map((section) => (
        <div key={section.title} className="flex flex-col gap-1">
          <span className="px-2 text-xs font-medium uppercase tracking-wide text-muted">{section.title}</span>
          {section.items
            // known from the role once the session is; until then the links everyone has
            .filter((item) => !item.permission || can(item.permission))
            .map((item) => {
              const active = isActive(pathname, item.href);
              return (
                <NextLink
                  key={item.href}
                  href={item.href}
                  onClick={onNavigate}
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
  );
}

function Brand() {
  return (
    <NextLink href="/" className="block truncate text-base font-semibold tracking-tight sm:text-lg">
      License Server
    </NextLink>
  );
}

/** Under the md breakpoint: the Menu button and the navigation in a drawer from the left. */
function NavDrawer() {
  const pathname = usePathname();
  const [isOpen, setOpen] = useState(false);
  // closed after every navigation (also by the browser's back and forward)
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  return (
    <Drawer isOpen={isOpen} onOpenChange={setOpen}>
      <Button size="sm" variant="ghost" className="shrink-0 md:hidden" aria-label="Menu">
        <MenuIcon />
      </Button>
      <Drawer.Backdrop>
        <Drawer.Content placement="left" className="w-72 max-w-[85vw]">
          <Drawer.Dialog aria-label="Navigation" data-testid="nav-drawer">
            <Drawer.Header className="flex flex-row items-center justify-between gap-2">
              <Drawer.Heading className="text-lg font-semibold tracking-tight">License Server</Drawer.Heading>
              <Drawer.CloseTrigger aria-label="Close navigation" />
            </Drawer.Header>
            <Drawer.Body>
              <NavLinks
                onNavigate={() => {
                  setOpen(false);
                }}
              />
              <div className="mt-6 flex flex-col items-start gap-4 px-2">
                <a href="/api/docs" className="text-sm text-accent hover:underline">
                  API docs
                </a>
                {/* the header has no room for it on a phone */}
                <ThemeSelect />
              </div>
            </Drawer.Body>
          </Drawer.Dialog>
        </Drawer.Content>
      </Drawer.Backdrop>
    </Drawer>
  );
}

function MenuIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor">
      <path d="M3 5h14M3 10h14M3 15h14" strokeWidth="1.75" strokeLinecap="round" />
    </svg>
  );
}

/** The signed-in admin (name from sm, role chip, a 2FA hint from sm), a skeleton until known. */
function MeLink() {
  const me = useMe();
  if (!me.data) return <Skeleton className="h-6 w-20 rounded-lg" />;
  const admin = me.data;
  return (
    <NextLink
      href="/profile"
      className="flex shrink-0 items-center gap-2 text-sm hover:underline"
      data-testid="me"
    >
      <span className="hidden max-w-40 truncate lg:inline">{admin.name || admin.email}</span>
      <RoleChip role={admin.role} />
      {admin.totpEnabled ? null : (
        <Chip size="sm" variant="soft" color="warning" className="hidden sm:inline-flex">
          no 2FA
        </Chip>
      )}
    </NextLink>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const me = useMe();
  const trpc = useTRPC();
  const settings = useQuery({ ...trpc.settings.get.queryOptions({}), enabled: me.isSuccess });

  let content: ReactNode;
  if (me.isError) {
    // 401 is sent to the sign-in page by the query cache; anything else is shown
    content = (
      <div className="mx-auto mt-12 max-w-md">
        <ErrorState
          error={me.error}
          onRetry={() => {
            void me.refetch();
          }}
        />
      </div>
    );
  } else if (!me.isSuccess) {
    content = <PageSkeleton label="Checking your session…" />;
  } else {
    content = (
      <>
        {settings.data?.requireTwoFactor && !me.data.totpEnabled && pathname !== "/profile" ? (
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
      </>
    );
  }

  return (
    <div className="flex min-h-screen" data-testid="app-shell">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:p-2"
      >
        Skip to content
      </a>
      <aside
        className="hidden w-56 shrink-0 flex-col border-r border-separator bg-surface px-3 py-4 md:flex"
        aria-label="Main navigation"
        data-testid="sidebar"
      >
        <div className="mb-6 px-2">
          <Brand />
        </div>
        <NavLinks />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 flex-nowrap items-center gap-2 border-b border-separator px-2 sm:gap-3 sm:px-4 md:px-6">
          <NavDrawer />
          <div className="min-w-0 flex-1 md:hidden">
            <Brand />
          </div>
          {/* room for the command palette's button (the search) */}
          <div
            className="flex shrink-0 items-center justify-end gap-2 sm:gap-3 md:flex-1"
            data-testid="header-tools"
          >
            <CommandPalette />
            <a
              href="/api/docs"
              className="hidden shrink-0 text-sm text-muted hover:text-foreground hover:underline sm:inline"
            >
              API docs
            </a>
            <span className="hidden sm:contents">
              <ThemeSelect />
            </span>
            <MeLink />
            <Button
              size="sm"
              variant="secondary"
              className="shrink-0"
              onPress={() => {
                void signOut({ callbackUrl: "/sign-in" });
              }}
            >
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" className="mx-auto w-full min-w-0 max-w-7xl flex-1 px-4 py-6 md:px-8">
          {content}
        </main>
      </div>
    </div>
  );
}
