"use client";
import { Button } from "@heroui/react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { CustomerFormDialog, useGroupOptions } from "@/components/customer-form.tsx";
import { CheckboxInput, SelectInput, TextInput } from "@/components/form.tsx";
import {
  DataTable,
  EmptyState,
  ErrorState,
  formatDate,
  Pager,
  PageHeader,
  StatusChip,
  TextLink,
  type Column,
} from "@/components/ui.tsx";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type Customer = RouterOutputs["customers"]["list"]["items"][number];
const SORTS = ["name", "createdAt", "updatedAt"] as const;
const PAGE_SIZE = 25;

const columns: Column<Customer>[] = [
  {
    id: "name",
    label: "Name",
    sortKey: "name",
    isRowHeader: true,
    render: (c) => (
      <span className="flex items-center gap-2">
        <TextLink href={`/customers/${c.id}`}>{c.name}</TextLink>
        {c.archivedAt ? <StatusChip status="archived" /> : null}
      </span>
    ),
  },
  { id: "email", label: "Email", render: (c) => c.email ?? "" },
  { id: "company", label: "Company", render: (c) => c.company },
  { id: "group", label: "Group", render: (c) => c.groupName },
  { id: "licenses", label: "Licenses", className: "text-right", render: (c) => c.licenseCount },
  { id: "createdAt", label: "Created", sortKey: "createdAt", render: (c) => formatDate(c.createdAt) },
  { id: "updatedAt", label: "Updated", sortKey: "updatedAt", render: (c) => formatDate(c.updatedAt) },
];

export default function CustomersPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const url = useUrlState();
  const groupOptions = useGroupOptions();
  const q = url.get("q");
  const [search, setSearch] = useState(q);
  const sortParam = url.get("sort", "name");
  const sort = (SORTS as readonly string[]).includes(sortParam)
    ? (sortParam as (typeof SORTS)[number])
    : "name";
  const direction = url.get("direction") === "desc" ? "desc" : "asc";
  const page = url.getInt("page", 1);
  const groupId = url.get("group");
  const includeArchived = url.get("archived") === "1";
  const [creating, setCreating] = useState(false);

  // the search box writes to the URL after a short pause
  useEffect(() => {
    if (search === q) return;
    const timer = setTimeout(() => {
      url.set({ q: search.trim() || undefined });
    }, 300);
    return () => {
      clearTimeout(timer);
    };
  }, [search, q, url]);

  const list = useQuery({
    ...trpc.customers.list.queryOptions({
      q: q || undefined,
      sort,
      direction,
      page,
      pageSize: PAGE_SIZE,
      groupId: groupId || undefined,
      includeArchived,
    }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Customers"
        description="The companies and people you license software to."
        actions={
          can("customer.write") ? (
            <Button
              onPress={() => {
                setCreating(true);
              }}
            >
              New customer
            </Button>
          ) : null
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <TextInput
          label="Search"
          name="q"
          type="search"
          placeholder="Name, email or company"
          value={search}
          onChange={setSearch}
          className="w-72"
        />
        <SelectInput
          label="Group"
          name="group"
          className="w-48"
          value={groupId}
          placeholder="All groups"
          options={groupOptions}
          onChange={(value) => {
            url.set({ group: value || undefined });
          }}
        />
        <CheckboxInput
          label="Show archived"
          name="archived"
          checked={includeArchived}
          onChange={(checked) => {
            url.set({ archived: checked ? "1" : undefined });
          }}
        />
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <DataTable
            label="Customers"
            columns={columns}
            rows={list.data?.items}
            isLoading={list.isPending}
            sort={{ sort, direction }}
            onSortChange={(next) => {
              url.set({ sort: next.sort, direction: next.direction });
            }}
            empty={
              <EmptyState
                title={q ? `No customer matches “${q}”` : "No customers yet"}
                description={q ? "Try another search." : "Create the first customer to issue licenses to it."}
              />
            }
          />
          {list.data ? (
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              total={list.data.total}
              onPage={(next) => {
                url.set({ page: next });
              }}
            />
          ) : null}
        </>
      )}
      <CustomerFormDialog
        isOpen={creating}
        onOpenChange={setCreating}
        onSaved={(customer) => {
          router.push(`/customers/${customer.id}`);
        }}
      />
    </>
  );
}
