"use client";
// The command palette: Ctrl+K / Cmd+K anywhere in the console (or the header's search button)
// opens a dialog that finds licenses (by a whole key, a part of one or the customer's name),
// customers and products on the server (search.console, GET /api/v1/search) and the console's
// pages (those the admin's role may open), as one list: arrow keys move, Enter opens.
import { Button, Kbd, Modal } from "@heroui/react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { StatusChip } from "@/components/ui/chips.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { PALETTE_PAGES, pagesMatching } from "./palette-pages.ts";

const RESULTS_PER_KIND = 5;
const DEBOUNCE_MS = 200;

function useDebounced(value: string, delayMs: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => {
      setDebounced(value);
    }, delayMs);
    return () => {
      clearTimeout(timer);
    };
  }, [value, delayMs]);
  return debounced;
}

const ITEM =
  "flex cursor-pointer items-center justify-between gap-3 rounded-lg px-3 py-2 text-sm data-[selected=true]:bg-accent/10 data-[selected=true]:text-accent";
const GROUP =
  "[&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-3 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wide [&_[cmdk-group-heading]]:text-muted";

function PaletteSearch({ onClose }: { onClose: () => void }) {
  const router = useRouter();
  const trpc = useTRPC();
  const can = useCan();
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const results = useQuery({
    ...trpc.search.console.queryOptions({ q, limit: RESULTS_PER_KIND }),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
  });
  const found = q.length > 0 ? results.data : undefined;
  const pages = pagesMatching(
    PALETTE_PAGES.filter((page) => !page.permission || can(page.permission)),
    text,
  );
  const isSearching = text.trim() !== "" && (text.trim() !== q || results.isFetching);

  const go = (href: string) => {
    onClose();
    router.push(href);
  };

  return (
    <Command
      label="Search the console"
      shouldFilter={false}
      loop
      vimBindings={false}
      className="flex flex-col"
    >
      <div className="border-b border-separator px-3 pb-3">
        <Command.Input
          autoFocus
          value={text}
          onValueChange={setText}
          placeholder="A key or part of one, a customer, a product, a page…"
          maxLength={200}
          className="h-10 w-full rounded-[var(--field-radius)] border border-border bg-field-background px-3 text-sm text-field-foreground outline-none focus-visible:ring-2 focus-visible:ring-focus"
        />
      </div>
      <Command.List className="max-h-[60vh] overflow-y-auto px-2 py-2" label="Results">
        {isSearching ? (
          <Command.Loading>
            <p className="px-3 py-2 text-xs text-muted" data-loading>
              Searching…
            </p>
          </Command.Loading>
        ) : null}
        {isSearching ? null : (
          <Command.Empty className="px-3 py-6 text-center text-sm text-muted">
            Nothing matches “{text.trim()}”.
          </Command.Empty>
        )}
        {pages.length > 0 ? (
          <Command.Group heading="Pages" className={GROUP}>
            {pages.map((page) => (
              <Command.Item
                key={page.href}
                value={`page:${page.href}`}
                onSelect={() => {
                  if (page.external) {
                    onClose();
                    window.location.assign(page.href);
                  } else go(page.href);
                }}
                className={ITEM}
              >
                <span>{page.label}</span>
                <span className="text-xs text-muted">{page.section}</span>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {found && found.licenses.length > 0 ? (
          <Command.Group heading="Licenses" className={GROUP}>
            {found.licenses.map((license) => (
              <Command.Item
                key={license.id}
                value={`license:${license.id}`}
                onSelect={() => {
                  go(`/licenses/${license.id}`);
                }}
                className={ITEM}
              >
                <span className="flex min-w-0 flex-col">
                  <span className="truncate font-mono text-xs">{license.key}</span>
                  <span className="truncate text-xs text-muted">
                    {license.customerName} · {license.productName}
                  </span>
                </span>
                <StatusChip status={license.status} />
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {found && found.customers.length > 0 ? (
          <Command.Group heading="Customers" className={GROUP}>
            {found.customers.map((customer) => (
              <Command.Item
                key={customer.id}
                value={`customer:${customer.id}`}
                onSelect={() => {
                  go(`/customers/${customer.id}`);
                }}
                className={ITEM}
              >
                <span className="flex min-w-0 flex-col">
                  <span className="truncate">{customer.name}</span>
                  {customer.company || customer.email ? (
                    <span className="truncate text-xs text-muted">
                      {[customer.company, customer.email].filter(Boolean).join(" · ")}
                    </span>
                  ) : null}
                </span>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {found && found.products.length > 0 ? (
          <Command.Group heading="Products" className={GROUP}>
            {found.products.map((product) => (
              <Command.Item
                key={product.id}
                value={`product:${product.id}`}
                onSelect={() => {
                  go(`/products/${product.id}`);
                }}
                className={ITEM}
              >
                <span className="truncate">{product.name}</span>
                <span className="font-mono text-xs text-muted">{product.code}</span>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
      </Command.List>
      <p className="border-t border-separator px-4 pt-2 text-xs text-muted">
        <Kbd>↑</Kbd> <Kbd>↓</Kbd> to move, <Kbd>Enter</Kbd> to open, <Kbd>Esc</Kbd> to close
      </p>
    </Command>
  );
}

/** The header's search button and the palette it opens (also on Ctrl+K / Cmd+K). */
export function CommandPalette() {
  const [isOpen, setOpen] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen((open) => !open);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
    };
  }, []);
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        data-testid="open-palette"
        aria-label="Search (Ctrl+K)"
        aria-keyshortcuts="Control+K Meta+K"
        onPress={() => {
          setOpen(true);
        }}
      >
        <span>Search</span>
        <Kbd className="hidden sm:inline-flex">Ctrl+K</Kbd>
      </Button>
      <Modal.Backdrop isOpen={isOpen} onOpenChange={setOpen} isDismissable>
        <Modal.Container size="lg" placement="top">
          <Modal.Dialog aria-label="Search the console" className="pb-3">
            <Modal.Header className="sr-only">
              <Modal.Heading>Search the console</Modal.Heading>
            </Modal.Header>
            {isOpen ? (
              <PaletteSearch
                onClose={() => {
                  setOpen(false);
                }}
              />
            ) : null}
          </Modal.Dialog>
        </Modal.Container>
      </Modal.Backdrop>
    </>
  );
}
