"use client";
// The features a policy or a license grants, with quotas for metered ones: a checkbox a feature,
// the drafts a form keeps of them, and the drafts as the schema's entitlement list.
import { useState } from "react";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { numberOrUndefined } from "@/components/ui/form-values.ts";
import type { FieldErrors } from "@/components/ui/use-form.ts";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import type { RouterOutputs } from "@/hooks/trpc.ts";

type Feature = RouterOutputs["features"]["list"][number];

export interface EntitlementDraft {
  on: boolean;
  quota: string;
  quotaPeriod: "total" | "day" | "month";
}
type Drafts = Record<string, EntitlementDraft>;

const OFF: EntitlementDraft = { on: false, quota: "", quotaPeriod: "month" };

/** Drafts of granted entitlements ({featureId, quota, quotaPeriod}), to fill a form from a record. */
export function draftsOf(
  entitlements: { featureId: string; quota: number | null; quotaPeriod: string }[],
): Drafts {
  return Object.fromEntries(
    entitlements.map((e) => [
      e.featureId,
      {
        on: true,
        quota: e.quota === null ? "" : String(e.quota),
        quotaPeriod: e.quotaPeriod as EntitlementDraft["quotaPeriod"],
      },
    ]),
  );
}

/** The checked features of `drafts` as the schema's entitlement list, in the features' order. */
export function entitlementsInput(drafts: Drafts, features: Feature[]) {
  return features
    .filter((f) => drafts[f.id]?.on)
    .map((f) => {
      const draft = drafts[f.id] ?? OFF;
      return f.kind === "metered"
        ? { featureId: f.id, quota: numberOrUndefined(draft.quota) ?? null, quotaPeriod: draft.quotaPeriod }
        : { featureId: f.id };
    });
}

/** A form's entitlement drafts: each feature's draft, changing one, replacing all. */
export function useEntitlementDrafts(initial: Drafts = {}) {
  const [drafts, setDrafts] = useState<Drafts>(initial);
  const draftOf = (id: string): EntitlementDraft => drafts[id] ?? OFF;
  return {
    drafts,
    draftOf,
    setDraft: (id: string, change: Partial<EntitlementDraft>) => {
      setDrafts((current) => ({ ...current, [id]: { ...(current[id] ?? OFF), ...change } }));
    },
    replace: setDrafts,
    /** the checked features as the schema's entitlement list, in the features' order */
    input: (features: Feature[]) => entitlementsInput(drafts, features),
  };
}

export type EntitlementDrafts = ReturnType<typeof useEntitlementDrafts>;

/** A checkbox a feature of the product, and for metered ones a quota and its period. */
export function EntitlementsEditor({
  features,
  isPending,
  drafts,
  errors,
}: {
  features: Feature[] | undefined;
  isPending: boolean;
  drafts: EntitlementDrafts;
  errors: FieldErrors;
}) {
  const list = features ?? [];
  if (list.length === 0) {
    return (
      <p className="text-sm text-muted">
        {isPending ? "Loading features…" : "This product has no features: the product is granted as a whole."}
      </p>
    );
  }
  // the schema's errors name an entry of the list sent: the checked features only
  const checked = list.filter((f) => drafts.draftOf(f.id).on);
  return (
    <div className="flex flex-col gap-3" role="group" aria-label="Entitled features">
      {list.map((f) => {
        const draft = drafts.draftOf(f.id);
        return (
          <div key={f.id} className="flex flex-wrap items-end gap-4 rounded-lg border border-separator p-3">
            <div className="min-w-56 flex-1">
              <CheckboxInput
                label={`${f.name} (${f.code})`}
                name={`feature-${f.code}`}
                checked={draft.on}
                onChange={(on) => {
                  drafts.setDraft(f.id, { on });
                }}
                description={f.kind === "metered" ? `metered, counts ${f.unit ?? "units"}` : "on or off"}
              />
            </div>
            {f.kind === "metered" && draft.on ? (
              <>
                <TextInput
                  label={`Quota for ${f.code}`}
                  name={`quota-${f.code}`}
                  type="number"
                  className="w-40"
                  value={draft.quota}
                  placeholder="unlimited"
                  onChange={(quota) => {
                    drafts.setDraft(f.id, { quota });
                  }}
                  error={errors[`entitlements.${checked.indexOf(f)}.quota`]}
                />
                <SelectInput
                  label="Per"
                  name={`period-${f.code}`}
                  className="w-32"
                  value={draft.quotaPeriod}
                  options={[
                    { value: "day", label: "day" },
                    { value: "month", label: "month" },
                    { value: "total", label: "in total" },
                  ]}
                  onChange={(v) => {
                    drafts.setDraft(f.id, { quotaPeriod: v as EntitlementDraft["quotaPeriod"] });
                  }}
                />
              </>
            ) : null}
          </div>
        );
      })}
      {errors.entitlements ? <p className="text-sm text-danger">{errors.entitlements}</p> : null}
    </div>
  );
}
