"use client";
// Create or edit a customer, validated by the customers' shared schemas.
import { Button, Form, Modal } from "@heroui/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ZCreateCustomerInput, ZUpdateCustomerInput } from "@/server/core/customers/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { SelectInput, TextInput, useForm } from "./form.tsx";

type Customer = RouterOutputs["customers"]["get"];

export function useGroupOptions() {
  const trpc = useTRPC();
  const groups = useQuery(trpc.groups.list.queryOptions({ pageSize: 200 }));
  return (groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }));
}

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
  const queryClient = useQueryClient();
  const groupOptions = useGroupOptions();
  const form = useForm({
    name: customer?.name ?? "",
    email: customer?.email ?? "",
    company: customer?.company ?? "",
    notes: customer?.notes ?? "",
    groupId: customer?.groupId ?? "",
  });
  const [lastOpen, setLastOpen] = useState(isOpen);
  if (isOpen !== lastOpen) {
    // a fresh form each time the dialog opens
    setLastOpen(isOpen);
    if (isOpen) {
      form.reset({
        name: customer?.name ?? "",
        email: customer?.email ?? "",
        company: customer?.company ?? "",
        notes: customer?.notes ?? "",
        groupId: customer?.groupId ?? groupOptions[0]?.value ?? "",
      });
    }
  }
  const { values, errors } = form;
  const onSuccess = (saved: Customer) => {
    void queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.dashboard.pathKey() });
    onOpenChange(false);
    onSaved?.(saved);
  };
  const create = useMutation(
    trpc.customers.create.mutationOptions({ onSuccess, onError: form.serverErrors }),
  );
  const update = useMutation(
    trpc.customers.update.mutationOptions({ onSuccess, onError: form.serverErrors }),
  );

  function submit() {
    const groupId = values.groupId || groupOptions[0]?.value || "";
    const fields = {
      name: values.name,
      email: values.email.trim() === "" ? null : values.email.trim(),
      company: values.company,
      notes: values.notes,
      groupId,
    };
    if (customer) {
      const input = form.validate(ZUpdateCustomerInput, { id: customer.id, ...fields });
      if (input) update.mutate(input);
    } else {
      const input = form.validate(ZCreateCustomerInput, fields);
      if (input) create.mutate(input);
    }
  }

  return (
    <Modal.Backdrop isOpen={isOpen} onOpenChange={onOpenChange}>
      <Modal.Container size="lg">
        <Modal.Dialog aria-label={customer ? "Edit customer" : "New customer"}>
          <Form
            validationBehavior="aria"
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <Modal.Header>
              <Modal.Heading>{customer ? "Edit customer" : "New customer"}</Modal.Heading>
            </Modal.Header>
            <Modal.Body className="flex flex-col gap-4">
              <TextInput
                label="Name"
                name="name"
                value={values.name}
                onChange={(v) => {
                  form.set("name", v);
                }}
                error={errors.name}
                isRequired
                autoFocus
              />
              <div className="grid gap-4 sm:grid-cols-2">
                <TextInput
                  label="Email"
                  name="email"
                  type="email"
                  value={values.email}
                  onChange={(v) => {
                    form.set("email", v);
                  }}
                  error={errors.email}
                />
                <TextInput
                  label="Company"
                  name="company"
                  value={values.company}
                  onChange={(v) => {
                    form.set("company", v);
                  }}
                  error={errors.company}
                />
              </div>
              <SelectInput
                label="Group"
                name="groupId"
                value={values.groupId || groupOptions[0]?.value || ""}
                onChange={(v) => {
                  form.set("groupId", v);
                }}
                options={groupOptions}
                error={errors.groupId}
                description="Who may see the customer and its licenses."
                isRequired
              />
              <TextInput
                label="Notes"
                name="notes"
                multiline
                value={values.notes}
                onChange={(v) => {
                  form.set("notes", v);
                }}
                error={errors.notes}
              />
            </Modal.Body>
            <Modal.Footer>
              <Button
                variant="secondary"
                onPress={() => {
                  onOpenChange(false);
                }}
              >
                Cancel
              </Button>
              <Button type="submit" isPending={create.isPending || update.isPending}>
                {customer ? "Save" : "Create customer"}
              </Button>
            </Modal.Footer>
          </Form>
        </Modal.Dialog>
      </Modal.Container>
    </Modal.Backdrop>
  );
}
