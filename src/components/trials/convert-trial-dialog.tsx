"use client";
// Converting a trial to a paid license: the paying customer and the standard policy whose terms
// the license takes; it keeps its key and its machine.
import { toast } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { FormDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { dateToIso } from "@/components/ui/form-values.ts";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZConvertTrialInput } from "@/server/core/trials/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { usePolicyOptions } from "@/components/policies/use-policy-options.ts";

export type Trial = RouterOutputs["trials"]["list"]["items"][number];

export function ConvertTrialDialog({
  trial,
  isOpen,
  onOpenChange,
}: {
  trial: Trial | null;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const form = useForm({ customerId: "", policyId: "", expiresAt: "" });
  useOnOpen(isOpen, () => {
    form.reset();
  });
  const customers = useQuery({ ...trpc.customers.list.queryOptions({ pageSize: 200 }), enabled: isOpen });
  const policyOptions = usePolicyOptions(isOpen ? trial?.product.id : undefined);
  const convert = useMutation(
    trpc.trials.convert.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.trials, trpc.licenses, trpc.dashboard);
        toast.success("Trial converted: the machine keeps its key");
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  if (!trial) return null;
  return (
    <FormDialog
      title="Convert trial"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Convert to paid license"
      isPending={convert.isPending}
      onSubmit={form.handleSubmit(ZConvertTrialInput, convert.mutate, (v) => ({
        trialId: trial.id,
        customerId: v.customerId,
        ...(v.policyId ? { policyId: v.policyId } : {}),
        ...(v.expiresAt ? { expiresAt: dateToIso(v.expiresAt) } : {}),
      }))}
    >
      <p className="text-sm text-muted">
        The trial of {trial.product.name} on {trial.hostname || trial.fingerprint} becomes a paid license: the
        same key, the same machine, the customer&apos;s terms.
      </p>
      <SelectInput
        label="Customer"
        {...form.field("customerId")}
        placeholder="Choose the paying customer"
        options={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
        isRequired
      />
      <SelectInput
        label="Policy"
        {...form.field("policyId")}
        placeholder="Keep the trial's terms"
        options={policyOptions}
        description="The license takes the policy's terms and features, and follows its changes."
      />
      <TextInput
        label="Expires on"
        type="date"
        {...form.field("expiresAt")}
        description="Empty: the policy's duration from today (perpetual without one)."
      />
    </FormDialog>
  );
}
