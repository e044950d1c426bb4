"use client";
// Create or edit a customer, validated by the customers' shared schemas.
import { useMutation } from "@tanstack/react-query";
import { ZCreateCustomerInput, ZUpdateCustomerInput } from "@/server/core/customers/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { FormDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { GroupSearchPicker } from "@/components/search/pickers.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useDefaultGroupId } from "@/hooks/use-group-options.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";

type Customer = RouterOutputs["customers"]["get"];

export function CustomerFormDialog({
  customer,
  isOpen,
  onOpenChange,
  onSaved,
}: {
  customer?: Customer;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved?: (customer: Customer) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const defaultGroupId = useDefaultGroupId();
  const initial = () => ({
    name: customer?.name ?? "",
    email: customer?.email ?? "",
    company: customer?.company ?? "",
    notes: customer?.notes ?? "",
    groupId: customer?.groupId ?? defaultGroupId ?? "",
  });
  const form = useForm(initial());
  // a fresh form each time the dialog opens
  useOnOpen(isOpen, () => {
    form.reset(initial());
  });
  const { values } = form;
  const onSuccess = (saved: Customer) => {
    invalidateQueries(trpc.customers, trpc.dashboard);
    onOpenChange(false);
    onSaved?.(saved);
  };
  const create = useMutation(
    trpc.customers.create.mutationOptions({ onSuccess, onError: form.serverErrors }),
  );
  const update = useMutation(
    trpc.customers.update.mutationOptions({ onSuccess, onError: form.serverErrors }),
  );

  const fields = (v: typeof values) => ({
    name: v.name,
    email: v.email.trim() === "" ? null : v.email.trim(),
    company: v.company,
    notes: v.notes,
    groupId: v.groupId || defaultGroupId || "",
  });
  const submit = customer
    ? form.handleSubmit(ZUpdateCustomerInput, update.mutate, (v) => ({ id: customer.id, ...fields(v) }))
    : form.handleSubmit(ZCreateCustomerInput, create.mutate, fields);

  return (
    <FormDialog
      title={customer ? "Edit customer" : "New customer"}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      size="lg"
      onSubmit={submit}
      submitLabel={customer ? "Save" : "Create customer"}
      isPending={create.isPending || update.isPending}
    >
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextInput label="Email" type="email" {...form.field("email")} />
        <TextInput label="Company" {...form.field("company")} />
      </div>
      <GroupSearchPicker
        label="Group"
        {...form.field("groupId")}
        value={values.groupId || defaultGroupId || ""}
        description="Who may see the customer and its licenses."
        isRequired
      />
      <TextInput label="Notes" multiline {...form.field("notes")} />
    </FormDialog>
  );
}
