"use client";
import { Button } from "@heroui/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { CustomerFormDialog } from "@/components/customer-form.tsx";
import { isNotFound } from "@/components/errors.ts";
import { licenseColumns, LicenseTable } from "@/components/license-bits.tsx";
import {
  ArchiveDeleteButtons,
  Details,
  EmptyState,
  ErrorState,
  formatDateTime,
  LinkButton,
  LoadingState,
  PageHeader,
  Section,
  StatusChip,
} from "@/components/ui.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

export default function CustomerPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const customer = useQuery(trpc.customers.get.queryOptions({ id }));
  const licenses = useQuery(trpc.licenses.list.queryOptions({ customerId: id, pageSize: 100 }));
  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.dashboard.pathKey() });
  };
  const archive = useMutation(trpc.customers.archive.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.customers.delete.mutationOptions());

  if (customer.isPending) return <LoadingState />;
  if (customer.isError) {
    return isNotFound(customer.error) ? (
      <EmptyState
        title="No such customer"
        description="It was deleted, or it is in a group you are not in."
      />
    ) : (
      <ErrorState error={customer.error} onRetry={() => void customer.refetch()} />
    );
  }
  const c = customer.data;

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {c.name}
            {c.archivedAt ? <StatusChip status="archived" /> : null}
          </span>
        }
        description={[c.company, c.email].filter(Boolean).join(" · ") || undefined}
        actions={
          <>
            {can("license.write") && !c.archivedAt ? (
              <LinkButton href={`/licenses/new?customerId=${c.id}`}>Issue license</LinkButton>
            ) : null}
            {can("customer.write") ? (
              <Button
                variant="secondary"
                onPress={() => {
                  setEditing(true);
                }}
              >
                Edit
              </Button>
            ) : null}
            {can("customer.delete") ? (
              <ArchiveDeleteButtons
                kind="customer"
                name={c.name}
                archived={c.archivedAt !== null}
                restoreBody="It shows in lists again and can get new licenses."
                archiveBody="It leaves the lists and gets no new licenses. A customer with active licenses cannot be archived."
                deleteBody="The customer and its ended licenses are deleted for good. A customer with active licenses cannot be deleted."
                onArchive={(archived) => archive.mutateAsync({ id: c.id, archived })}
                onDelete={() => remove.mutateAsync({ id: c.id })}
                onDeleted={() => {
                  invalidate();
                  router.push("/customers");
                }}
              />
            ) : null}
          </>
        }
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Section title="Details">
          <Details
            items={[
              ["Group", c.groupName],
              ["Email", c.email ?? "—"],
              ["Company", c.company || "—"],
              ["Licenses", c.licenseCount],
              ["Created", formatDateTime(c.createdAt)],
              ["Updated", formatDateTime(c.updatedAt)],
              ["Notes", c.notes ? <span className="whitespace-pre-wrap">{c.notes}</span> : "—"],
            ]}
          />
        </Section>
        <Section title="Licenses" className="lg:col-span-2">
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
        </Section>
      </div>
      <CustomerFormDialog customer={c} isOpen={editing} onOpenChange={setEditing} />
    </>
  );
}
