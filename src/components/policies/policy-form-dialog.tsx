"use client";
// Create a policy, or change one: a change first asks the server how many licenses it would
// update (those of the policy that do not override the term) and shows that before confirming.
import { toast } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { FormDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { numberOrUndefined } from "@/components/ui/form-values.ts";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useDefaultGroupId } from "@/hooks/use-group-options.ts";
import { GroupSearchPicker } from "@/components/search/pickers.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreatePolicyInput, ZUpdatePolicyInput } from "@/server/core/policies/schemas.ts";
import type { DurationFrom } from "@/server/core/licenses/select.ts";
import { useTRPC, type RouterInputs, type RouterOutputs } from "@/hooks/trpc.ts";
import { draftsOf, EntitlementsEditor, useEntitlementDrafts } from "./entitlements-editor.tsx";
import {
  DEFAULT_TERMS,
  termsDraftOf,
  TermsFields,
  termsInput,
  type TermKey,
  type TermsDraft,
} from "./terms-fields.tsx";
import { DURATION_FROM_OPTIONS, termLabel } from "./terms.ts";

export type Policy = RouterOutputs["policies"]["get"];
type UpdateInput = RouterInputs["policies"]["update"];
type Preview = RouterOutputs["policies"]["previewChange"];

const KIND_STANDARD: "standard" | "trial" = "standard";
const FROM_ISSUE: DurationFrom = "issue";

function initialValues(policy: Policy | undefined) {
  return {
    name: policy?.name ?? "",
    description: policy?.description ?? "",
    kind: policy ? policy.kind : KIND_STANDARD,
    trialGroupId: "",
    durationDays: policy ? (policy.durationDays === null ? "" : String(policy.durationDays)) : "365",
    durationFrom: policy ? policy.durationFrom : FROM_ISSUE,
    ...(policy ? termsDraftOf(policy) : DEFAULT_TERMS),
  };
}

/** Entitlements in a comparable form: by feature, quotas only for metered features. */
function comparable(list: { featureId: string; quota?: number | null; quotaPeriod?: string }[]): string {
  return JSON.stringify(
    list
      .map((e) => [e.featureId, e.quota ?? null, e.quota === undefined ? null : e.quotaPeriod])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

/** The proposed change: only what differs from the policy (entitlements as a whole). */
function changeOf(policy: Policy, input: UpdateInput): UpdateInput {
  const change: Record<string, unknown> = { id: policy.id };
  const current = policy as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (key === "id" || value === undefined) continue;
    if (key === "entitlements") {
      const now = policy.entitlements.map((e) =>
        e.kind === "metered" ? e : { featureId: e.featureId, quota: undefined, quotaPeriod: undefined },
      );
      if (comparable(now) !== comparable(value as typeof now)) change[key] = value;
    } else if (current[key] !== value) {
      change[key] = value;
    }
  }
  return change as UpdateInput;
}

function PreviewSummary({ preview }: { preview: Preview }) {
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="policy-change-preview">
      <p className="font-medium">
        This change will update {preview.licenses} license{preview.licenses === 1 ? "" : "s"}.
      </p>
      <ul className="list-disc pl-5 text-muted">
        {preview.terms.map((t) => (
          <li key={t.term}>
            {termLabel(t.term)}: {t.licenses} license{t.licenses === 1 ? "" : "s"} inherit it
            {t.overriding > 0 ? `, ${t.overriding} keep their own` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PolicyFormDialog({
  productId,
  policy,
  isOpen,
  onOpenChange,
  onSaved,
}: {
  productId: string;
  policy?: Policy;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved?: (policy: Policy) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const defaultGroupId = useDefaultGroupId();
  const form = useForm(initialValues(policy));
  const entitlements = useEntitlementDrafts();
  const [pending, setPending] = useState<{ change: UpdateInput; preview: Preview } | null>(null);
  useOnOpen(isOpen, () => {
    form.reset(initialValues(policy));
    entitlements.replace(policy ? draftsOf(policy.entitlements) : {});
    setPending(null);
  });
  const features = useQuery({
    ...trpc.features.list.queryOptions({ productId }),
    enabled: isOpen,
  });
  const onSuccess = (saved: Policy) => {
    invalidateQueries(trpc.policies, trpc.licenses, trpc.audit);
    onOpenChange(false);
    onSaved?.(saved);
  };
  const create = useMutation(trpc.policies.create.mutationOptions({ onSuccess, onError: form.serverErrors }));
  const update = useMutation(
    trpc.policies.update.mutationOptions({
      onSuccess: (saved) => {
        toast.success(`Policy saved: ${pending?.preview.licenses ?? 0} licenses updated`);
        onSuccess(saved);
      },
      onError: (error) => {
        setPending(null);
        form.serverErrors(error);
      },
    }),
  );
  const preview = useMutation(
    trpc.policies.previewChange.mutationOptions({
      onSuccess: (result, change) => {
        setPending({ change, preview: result });
      },
      onError: form.serverErrors,
    }),
  );
  const { values } = form;

  const fields = (v: typeof values) => ({
    name: v.name,
    description: v.description,
    durationDays: numberOrUndefined(v.durationDays) ?? null,
    durationFrom: v.durationFrom,
    ...termsInput(v),
    entitlements: entitlements.input(features.data ?? []),
  });

  const submit = policy
    ? () => {
        if (pending) {
          update.mutate(pending.change);
          return;
        }
        form.handleSubmit(
          ZUpdatePolicyInput,
          (input) => {
            const change = changeOf(policy, input);
            if (Object.keys(change).length === 1) {
              onOpenChange(false);
              return;
            }
            preview.mutate(change);
          },
          (v) => ({ id: policy.id, ...fields(v) }),
        )();
      }
    : form.handleSubmit(ZCreatePolicyInput, create.mutate, (v) => ({
        productId,
        kind: v.kind,
        ...(v.kind === "trial" ? { trialGroupId: v.trialGroupId || defaultGroupId || "" } : {}),
        ...fields(v),
      }));

  const setTerm = <K extends TermKey>(key: K, value: TermsDraft[K]) => {
    setPending(null);
    form.set(key, value as (typeof values)[K]);
  };
  const field = (key: TermKey | "name" | "description" | "durationDays" | "durationFrom") => ({
    ...form.field(key),
    onChange: (value: string) => {
      setPending(null);
      form.set(key, value);
    },
  });

  return (
    <FormDialog
      title={policy ? `Edit policy ${policy.name}` : "New policy"}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      size="lg"
      submitLabel={
        policy
          ? pending
            ? `Update ${pending.preview.licenses} license${pending.preview.licenses === 1 ? "" : "s"}`
            : "Review change"
          : "Create policy"
      }
      isPending={create.isPending || update.isPending || preview.isPending}
      onSubmit={submit}
    >
      {pending ? <PreviewSummary preview={pending.preview} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextInput label="Name" {...field("name")} isRequired autoFocus />
        {policy ? null : (
          <SelectInput
            label="Kind"
            {...form.field("kind")}
            onChange={(v) => {
              const kind = v as typeof values.kind;
              form.set("kind", kind);
              if (kind === "trial") {
                // a trial is one machine for a fixed time from its start
                form.set("type", "node_locked");
                form.set("seatLimit", "1");
                form.set("overage", "none");
                form.set("durationFrom", "issue");
                form.set("durationDays", "14");
              }
            }}
            options={[
              { value: "standard", label: "Standard: licenses are issued from it" },
              { value: "trial", label: "Trial: the software starts one per machine" },
            ]}
          />
        )}
      </div>
      {values.kind === "trial" && !policy ? (
        <GroupSearchPicker
          label="Group of the trial customer"
          {...form.field("trialGroupId")}
          value={values.trialGroupId || defaultGroupId || ""}
          description="Trial licenses belong to a customer made for them until converted."
        />
      ) : null}
      <TextInput label="Description" multiline {...field("description")} />
      <TermsFields values={values} field={field} set={setTerm}>
        <TextInput
          label="Duration (days)"
          type="number"
          inputMode="numeric"
          {...field("durationDays")}
          description="Empty: perpetual."
        />
        <SelectInput
          label="Duration counts"
          {...field("durationFrom")}
          options={DURATION_FROM_OPTIONS}
          isDisabled={values.durationDays.trim() === ""}
        />
      </TermsFields>
      <div className="flex flex-col gap-2">
        <span className="text-sm font-medium">Features and quotas</span>
        <EntitlementsEditor
          features={features.data}
          isPending={features.isPending}
          drafts={{
            ...entitlements,
            setDraft: (id, change) => {
              setPending(null);
              entitlements.setDraft(id, change);
            },
          }}
          errors={form.errors}
        />
      </div>
    </FormDialog>
  );
}
