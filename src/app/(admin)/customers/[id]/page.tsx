"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { CustomerFormDialog } from "@/components/customers/customer-form-dialog.tsx";
import { licenseColumns, LicenseTable } from "@/components/licenses/license-table.tsx";
import { ArchivableRecordHeader } from "@/components/ui/archivable-record-header.tsx";
import { RecordGrid } from "@/components/ui/details.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { LinkButton } from "@/components/ui/links.tsx";
import { ListResults, useLocalPage } from "@/components/ui/list-page.tsx";
import { Section } from "@/components/ui/page.tsx";
import { EmptyState, RecordFallback } from "@/components/ui/states.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

export default function CustomerPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const editing = useDialog();
  const customer = useQuery(trpc.customers.get.queryOptions({ id }));
  // the customer's licenses a page at a time (a customer may have thousands)
  const licensesPage = useLocalPage(10);
  const licenses = useQuery(
    trpc.licenses.list.queryOptions({
      customerId: id,
      page: licensesPage.page,
      pageSize: licensesPage.pageSize,
    }),
  );
  const invalidate = () => {
    invalidateQueries(trpc.customers, trpc.dashboard);
  };
  const archive = useMutation(trpc.customers.archive.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.customers.delete.mutationOptions());

  if (!customer.isSuccess) {
    return (
      <RecordFallback
        query={customer}
        notFound={{
          title: "No such customer",
          description: "It was deleted, or it is in a group you are not in.",
        }}
      />
    );
  }
  const c = customer.data;

  return (
    <>
      <ArchivableRecordHeader
        record={c}
        description={[c.company, c.email].filter(Boolean).join(" · ") || undefined}
        actions={
          <>
            {can("license.write") && !c.archivedAt ? (
              <LinkButton href={`/licenses/new?customerId=${c.id}`}>Issue license</LinkButton>
            ) : null}
            {can("customer.write") ? (
              <OpenButton label="Edit" variant="secondary" onOpen={editing.open} />
            ) : null}
          </>
        }
        archiving={
          can("customer.delete") && {
            kind: "customer",
            restoreBody: "It shows in lists again and can get new licenses.",
            archiveBody:
              "It leaves the lists and gets no new licenses. A customer with active licenses cannot be archived.",
            deleteBody:
              "The customer and its ended licenses are deleted for good. A customer with active licenses cannot be deleted.",
            onArchive: archive.mutateAsync,
            onDelete: remove.mutateAsync,
            onDeleted: invalidate,
            listHref: "/customers",
          }
        }
      />
      <RecordGrid
        details={[
          ["Group", c.groupName],
          ["Email", c.email ?? "—"],
          ["Company", c.company || "—"],
          ["Licenses", c.licenseCount],
          ["Created", formatDateTime(c.createdAt)],
          ["Updated", formatDateTime(c.updatedAt)],
          ["Notes", c.notes ? <span className="whitespace-pre-wrap">{c.notes}</span> : "—"],
        ]}
      >
        <Section title="Licenses" className="lg:col-span-2">
          <ListResults query={licenses} paging={licensesPage} hideSinglePage>
            <LicenseTable
              rows={licenses.data?.items}
              isLoading={licenses.isPending}
              columns={licenseColumns.filter((col) => col.id !== "customer")}
              empty={
                <EmptyState
                  title="No licenses yet"
                  action={
                    can("license.write") && !c.archivedAt ? (
                      <LinkButton size="sm" href={`/licenses/new?customerId=${c.id}`}>
                        Issue a license
                      </LinkButton>
                    ) : undefined
                  }
                />
              }
            />
          </ListResults>
        </Section>
      </RecordGrid>
      <CustomerFormDialog customer={c} {...editing} />
    </>
  );
}
