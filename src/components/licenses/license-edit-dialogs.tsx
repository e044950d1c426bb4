"use client";
// The license page's edit dialogs: its terms and expiry (licenses.update), with the terms it
// overrides taken from its policy again on request, and its entitlements (licenses.setEntitlements).
// Both validate with the server's schemas and refetch the license and its audit trail on success.
import { toast } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  draftsOf,
  EntitlementsEditor,
  useEntitlementDrafts,
} from "@/components/policies/entitlements-editor.tsx";
import {
  termsDraftOf,
  TermsFields,
  termsInput,
  type TermKey,
  type TermsDraft,
} from "@/components/policies/terms-fields.tsx";
import { durationLabel, termLabel } from "@/components/policies/terms.ts";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { dateToIso } from "@/components/ui/form-values.ts";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import {
  ZSetEntitlementsInput,
  ZUpdateLicenseInput,
  type TUpdateLicenseInput,
} from "@/server/core/licenses/schemas.ts";
import type { PolicyTerm } from "@/server/core/policies/terms.ts";
import type { License } from "./license-table.tsx";

/** A date-time from the API (an ISO string on the wire) as a date field's yyyy-mm-dd, in UTC. */
function dateField(value: Date | string | null): string {
  return value === null ? "" : new Date(value).toISOString().slice(0, 10);
}

function initialOf(license: License) {
  return {
    ...termsDraftOf(license),
    expiresAt: dateField(license.expiresAt),
    metadata: Object.keys(license.metadata).length > 0 ? JSON.stringify(license.metadata, null, 2) : "",
  };
}

/** The metadata field's text as the schema's value ({} when empty); text that is no JSON is kept as text, which the schema refuses. */
function metadataInput(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The field keys of a term that the edit form holds (duration is the expiry field). */
const TERM_FIELDS: Partial<Record<PolicyTerm, TermKey>> = {
  type: "type",
  seatLimit: "seatLimit",
  heartbeatIntervalSeconds: "heartbeatIntervalSeconds",
  gracePeriodHours: "gracePeriodHours",
  offlineAllowanceDays: "offlineAllowanceDays",
  checkInIntervalDays: "checkInIntervalDays",
  expiryStrategy: "expiryStrategy",
  overage: "overage",
  machineMatching: "machineMatching",
};

/** Save refetches the license (its terms and overrides), its audit trail and what counts licenses. */
function useRefetchLicense() {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  return () => {
    invalidateQueries(trpc.licenses, trpc.audit, trpc.dashboard, trpc.policies);
  };
}

export function EditTermsButton({ license }: { license: License }) {
  const trpc = useTRPC();
  const refetch = useRefetchLicense();
  const initial = initialOf(license);
  const form = useForm(initial);
  // the overridden terms to take from the policy again
  const [inherit, setInherit] = useState<PolicyTerm[]>([]);
  const update = useMutation(
    trpc.licenses.update.mutationOptions({
      onSuccess: () => {
        refetch();
        toast.success("Terms saved");
        dialog.onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const dialog = useDialog(() => {
    form.reset(initialOf(license));
    setInherit([]);
    update.reset();
  });
  const policy = useQuery({
    ...trpc.policies.get.queryOptions({ id: license.policy?.id ?? "" }),
    enabled: dialog.isOpen && license.policy !== null,
  });
  const { values } = form;
  const inherited = (term: PolicyTerm) => inherit.includes(term);
  const fieldOf = (key: TermKey) => {
    const term = (Object.keys(TERM_FIELDS) as PolicyTerm[]).find((t) => TERM_FIELDS[t] === key);
    return { ...form.field(key), isDisabled: term !== undefined && inherited(term) };
  };

  const setTerm = <K extends TermKey>(key: K, value: TermsDraft[K]) => {
    form.set(key, value as (typeof values)[K]);
  };
  const toggleInherit = (term: PolicyTerm, on: boolean) => {
    setInherit((current) => (on ? [...current, term] : current.filter((t) => t !== term)));
    const key = TERM_FIELDS[term];
    if (!key) return;
    // show what the term becomes: the policy's value, or the license's own again
    const source = on && policy.data ? termsDraftOf(policy.data) : termsDraftOf(license);
    form.set(key, source[key]);
  };

  const submit = form.handleSubmit(ZUpdateLicenseInput, update.mutate, (v) => {
    // an inherited term is not sent: setting and inheriting it at once is refused
    const inheritedKeys = new Set<string>(inherit.map((term) => TERM_FIELDS[term] ?? term));
    const terms = Object.fromEntries(
      Object.entries(termsInput(v)).filter(([key]) => !inheritedKeys.has(key)),
    );
    return {
      id: license.id,
      ...terms,
      // unchanged text sends nothing: a stored expiry keeps its time of day, metadata its form
      ...(v.expiresAt !== initial.expiresAt && !inherited("duration")
        ? { expiresAt: dateToIso(v.expiresAt) }
        : {}),
      ...(v.metadata !== initial.metadata
        ? { metadata: metadataInput(v.metadata) as TUpdateLicenseInput["metadata"] }
        : {}),
      ...(inherit.length > 0 ? { inherit } : {}),
    };
  });

  const overridden = license.policy ? license.overrides : [];
  const policyDuration = policy.data
    ? durationLabel(policy.data.durationDays, policy.data.durationFrom)
    : undefined;
  return (
    <>
      <OpenButton label="Edit terms" variant="secondary" onOpen={dialog.open} />
      <FormDialog
        title="Edit license terms"
        {...dialog}
        size="lg"
        submitLabel="Save terms"
        isPending={update.isPending}
        error={update.error}
        onSubmit={submit}
      >
        {license.policy ? (
          <div className="flex flex-col gap-2" role="group" aria-label="Terms set on this license">
            <p className="text-sm text-muted">
              Issued from the policy {license.policy.name}. A term you change here is set on this license and
              no longer follows the policy.
              {overridden.length > 0
                ? " Take a term from the policy again:"
                : " All terms follow the policy now."}
            </p>
            {overridden.map((term) => (
              <CheckboxInput
                key={term}
                name={`inherit-${term}`}
                label={`${termLabel(term)}: take the policy's`}
                description={
                  term === "duration" && policyDuration ? `The policy's: ${policyDuration}.` : undefined
                }
                checked={inherited(term)}
                isDisabled={policy.isPending}
                onChange={(on) => {
                  toggleInherit(term, on);
                }}
              />
            ))}
            {form.errors.inherit ? <p className="text-sm text-danger">{form.errors.inherit}</p> : null}
          </div>
        ) : null}
        <TermsFields values={values} field={fieldOf} set={setTerm}>
          <TextInput
            label="Expires"
            type="date"
            {...form.field("expiresAt")}
            isDisabled={inherited("duration")}
            description={inherited("duration") ? "From the policy's duration." : "Empty: never expires."}
          />
        </TermsFields>
        <TextInput
          label="Metadata (JSON)"
          multiline
          {...form.field("metadata")}
          placeholder='{"po": "PO-1234"}'
          description="Free-form data your tools keep with the license; empty: none."
        />
      </FormDialog>
    </>
  );
}

export function EditEntitlementsButton({ license }: { license: License }) {
  const trpc = useTRPC();
  const refetch = useRefetchLicense();
  const form = useForm({});
  const entitlements = useEntitlementDrafts();
  const save = useMutation(
    trpc.licenses.setEntitlements.mutationOptions({
      onSuccess: () => {
        refetch();
        toast.success("Entitlements saved");
        dialog.onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const dialog = useDialog(() => {
    form.reset({});
    entitlements.replace(draftsOf(license.entitlements));
    save.reset();
  });
  const features = useQuery({
    ...trpc.features.list.queryOptions({ productId: license.product.id }),
    enabled: dialog.isOpen,
  });
  return (
    <>
      <OpenButton label="Edit entitlements" variant="secondary" onOpen={dialog.open} />
      <FormDialog
        title="Edit entitlements"
        {...dialog}
        size="lg"
        submitLabel="Save entitlements"
        isPending={save.isPending}
        error={save.error}
        onSubmit={form.handleSubmit(ZSetEntitlementsInput, save.mutate, () => ({
          id: license.id,
          entitlements: entitlements.input(features.data ?? []),
        }))}
      >
        <p className="text-sm text-muted">
          The features of {license.product.name} this license grants, with quotas for metered ones.
          {license.policy && !license.overrides.includes("entitlements")
            ? ` Saving sets them on this license: the policy ${license.policy.name}'s later changes to its features no longer reach it.`
            : ""}
        </p>
        <EntitlementsEditor
          features={features.data}
          isPending={features.isPending}
          drafts={entitlements}
          errors={form.errors}
        />
      </FormDialog>
    </>
  );
}
