"use client";
// Converting a trial to a paid license: the paying customer and the standard policy whose terms
// the license takes; it keeps its key and its machine.
import { toast } from "@heroui/react";
import { useMutation } from "@tanstack/react-query";
import { FormDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { dateToIso } from "@/components/ui/form-values.ts";
import { CustomerPicker, PolicyPicker } from "@/components/search/pickers.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZConvertTrialInput } from "@/server/core/trials/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";

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
      <CustomerPicker
        label="Customer"
        {...form.field("customerId")}
        placeholder="Search for the paying customer"
        isRequired
      />
      <PolicyPicker
        label="Policy"
        productId={trial.product.id}
        {...form.field("policyId")}
        noneLabel="Keep the trial's terms"
        placeholder="Keep the trial's terms"
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
