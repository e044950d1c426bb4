"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { CustomerFormDialog } from "@/components/customers/customer-form-dialog.tsx";
import type { Column } from "@/components/ui/data-table.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDate } from "@/components/ui/format.ts";
import {
  archivableNameColumn,
  Filters,
  ListTable,
  UrlFlag,
  UrlText,
  useUrlPage,
  useUrlSort,
} from "@/components/ui/list-page.tsx";
import { ExportCsvLink } from "@/components/ui/export-link.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { GroupSearchPicker } from "@/components/search/pickers.tsx";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type Customer = RouterOutputs["customers"]["list"]["items"][number];
const SORTS = ["name", "createdAt", "updatedAt"] as const;
const PAGE_SIZE = 25;

const columns: Column<Customer>[] = [
  archivableNameColumn("/customers"),
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
  const q = url.get("q");
  const { sort, direction, sorting } = useUrlSort(url, SORTS, "name");
  const paging = useUrlPage(url, PAGE_SIZE);
  const groupId = url.get("group");
  const includeArchived = url.get("archived") === "1";
  const creating = useDialog();

  const list = useQuery({
    ...trpc.customers.list.queryOptions({
      q: q || undefined,
      sort,
      direction,
      page: paging.page,
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
          <>
            <ExportCsvLink
              path="/api/v1/customers/export.csv"
              params={{
                q: q || undefined,
                sort,
                direction,
                groupId: groupId || undefined,
                includeArchived: includeArchived ? "true" : undefined,
              }}
            />
            {can("customer.write") ? <OpenButton label="New customer" onOpen={creating.open} /> : null}
          </>
        }
      />
      <Filters>
        <UrlText
          url={url}
          label="Search"
          name="q"
          type="search"
          placeholder="Name, email or company"
          className="w-72"
        />
        <GroupSearchPicker
          label="Group"
          name="group"
          className="w-56"
          value={groupId}
          noneLabel="All groups"
          placeholder="All groups"
          onChange={(id) => {
            url.set({ group: id || undefined });
          }}
        />
        <UrlFlag url={url} label="Show archived" name="archived" />
      </Filters>
      <ListTable
        query={list}
        paging={paging}
        label="Customers"
        rowHref={(row) => `/customers/${row.id}`}
        columns={columns}
        {...sorting}
        empty={
          <EmptyState
            title={q ? `No customer matches “${q}”` : "No customers yet"}
            description={q ? "Try another search." : "Create the first customer to issue licenses to it."}
          />
        }
      />
      <CustomerFormDialog
        {...creating}
        onSaved={(customer) => {
          router.push(`/customers/${customer.id}`);
        }}
      />
    </>
  );
}
