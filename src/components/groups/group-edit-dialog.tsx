"use client";
// Rename or describe a group (groups.update), validated with the server's schema.
import { useMutation } from "@tanstack/react-query";
import { FormDialog, useLastDefined, useOnOpen } from "@/components/ui/dialog.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZUpdateGroupInput } from "@/server/core/groups/schemas.ts";

type Group = RouterOutputs["groups"]["list"]["items"][number];

/** Open while `group` is set; closing calls onClose. */
export function GroupEditDialog({
  group: openFor,
  onClose,
}: {
  group: Group | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  // while closing: the record it was open for
  const group = useLastDefined(openFor);
  const invalidateQueries = useInvalidate();
  const form = useForm({ name: "", description: "" });
  const update = useMutation(
    trpc.groups.update.mutationOptions({
      onSuccess: () => {
        // group names show on customers, admins and the audit trail too
        invalidateQueries(trpc.groups, trpc.customers, trpc.admins, trpc.audit);
        onClose();
      },
      onError: form.serverErrors,
    }),
  );
  const isOpen = openFor !== undefined;
  useOnOpen(isOpen, () => {
    form.reset({ name: group?.name ?? "", description: group?.description ?? "" });
  });
  return (
    <FormDialog
      title={group ? `Edit group ${group.name}` : "Edit group"}
      isOpen={isOpen}
      onOpenChange={(open) => {
        if (!open) {
          update.reset();
          onClose();
        }
      }}
      submitLabel="Save"
      isPending={update.isPending}
      error={update.error}
      onSubmit={form.handleSubmit(ZUpdateGroupInput, update.mutate, (v) => ({
        id: group?.id ?? "",
        name: v.name,
        description: v.description,
      }))}
    >
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <TextInput label="Description" multiline {...form.field("description")} />
    </FormDialog>
  );
}
