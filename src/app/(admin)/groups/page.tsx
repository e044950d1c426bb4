"use client";
import { Button } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { GroupEditDialog } from "@/components/groups/group-edit-dialog.tsx";
import { confirmColumn } from "@/components/ui/confirm-button.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDate } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { ListTable } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateGroupInput } from "@/server/core/groups/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Group = RouterOutputs["groups"]["list"]["items"][number];

export default function GroupsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const creating = useDialog();
  const [editing, setEditing] = useState<Group | undefined>();
  const list = useQuery(trpc.groups.list.queryOptions({ pageSize: 200 }));
  const form = useForm({ name: "", description: "" });
  const invalidate = () => {
    invalidateQueries(trpc.groups);
  };
  const create = useMutation(
    trpc.groups.create.mutationOptions({
      onSuccess: () => {
        invalidate();
        form.reset();
        creating.onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const remove = useMutation(trpc.groups.delete.mutationOptions({ onSuccess: invalidate }));
  const write = can("group.write");
  return (
    <>
      <PageHeader
        title="Groups"
        description="Customers belong to one group; admins and API keys see the groups they are in."
        actions={write ? <OpenButton label="New group" onOpen={creating.open} /> : null}
      />
      <ListTable<Group>
        query={list}
        label="Groups"
        empty={<EmptyState title="No groups" />}
        columns={[
          { id: "name", label: "Name", isRowHeader: true, render: (g) => g.name },
          { id: "description", label: "Description", render: (g) => g.description },
          {
            id: "customers",
            label: "Customers",
            render: (g) => <TextLink href={`/customers?group=${g.id}`}>{g.customerCount}</TextLink>,
          },
          { id: "admins", label: "Admins", render: (g) => g.adminCount },
          { id: "created", label: "Created", render: (g) => formatDate(g.createdAt) },
          ...(write
            ? [
                {
                  id: "edit",
                  label: "",
                  render: (g: Group) => (
                    <Button
                      size="sm"
                      variant="secondary"
                      aria-label={`Edit group ${g.name}`}
                      onPress={() => {
                        setEditing(g);
                      }}
                    >
                      Edit
                    </Button>
                  ),
                },
              ]
            : []),
          confirmColumn(
            "actions",
            (g) =>
              write && {
                danger: true,
                label: "Delete",
                title: `Delete group ${g.name}?`,
                body: "Only an empty group (no customers, no admins) can be deleted.",
                confirmLabel: "Delete group",
                onConfirm: () => remove.mutateAsync({ id: g.id }),
              },
          ),
        ]}
      />
      <FormDialog
        title="New group"
        {...creating}
        submitLabel="Create group"
        isPending={create.isPending}
        onSubmit={form.handleSubmit(ZCreateGroupInput, create.mutate)}
      >
        <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
        <TextInput label="Description" multiline {...form.field("description")} />
      </FormDialog>
      <GroupEditDialog
        group={editing}
        onClose={() => {
          setEditing(undefined);
        }}
      />
    </>
  );
}
