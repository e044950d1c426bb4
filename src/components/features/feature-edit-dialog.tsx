"use client";
// Rename or describe a feature, or change a metered feature's unit (features.update), validated
// with the server's schema. Code and kind stay: licenses and shipped software depend on them.
import { useMutation } from "@tanstack/react-query";
import { FormDialog, useLastDefined, useOnOpen } from "@/components/ui/dialog.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZUpdateFeatureInput } from "@/server/core/features/schemas.ts";

type Feature = RouterOutputs["features"]["list"][number];

/** Open while `feature` is set; closing calls onClose. */
export function FeatureEditDialog({
  feature: openFor,
  onClose,
}: {
  feature: Feature | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  // while closing: the record it was open for
  const feature = useLastDefined(openFor);
  const invalidateQueries = useInvalidate();
  const form = useForm({ name: "", description: "", unit: "" });
  const update = useMutation(
    trpc.features.update.mutationOptions({
      onSuccess: () => {
        // licenses and policies show their features' names
        invalidateQueries(trpc.features, trpc.products, trpc.licenses, trpc.policies, trpc.audit);
        onClose();
      },
      onError: form.serverErrors,
    }),
  );
  const isOpen = openFor !== undefined;
  useOnOpen(isOpen, () => {
    form.reset({
      name: feature?.name ?? "",
      description: feature?.description ?? "",
      unit: feature?.unit ?? "",
    });
  });
  const metered = feature?.kind === "metered";
  return (
    <FormDialog
      title={feature ? `Edit feature ${feature.code}` : "Edit feature"}
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
      onSubmit={form.handleSubmit(ZUpdateFeatureInput, update.mutate, (v) => ({
        id: feature?.id ?? "",
        name: v.name,
        description: v.description,
        ...(metered ? { unit: v.unit } : {}),
      }))}
    >
      <p className="text-sm text-muted">
        Its code <code>{feature?.code}</code> and kind ({metered ? "metered" : "on or off"}) stay: licenses
        and the shipped software use them.
      </p>
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <TextInput label="Description" multiline {...form.field("description")} />
      {metered ? (
        <TextInput
          label="Unit"
          {...form.field("unit")}
          description="What it counts, e.g. calls or pages."
          isRequired
        />
      ) : null}
    </FormDialog>
  );
}
