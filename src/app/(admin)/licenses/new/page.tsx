"use client";
import { Button, toast } from "@heroui/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import {
  draftsOf,
  EntitlementsEditor,
  entitlementsInput,
  useEntitlementDrafts,
} from "@/components/policies/entitlements-editor.tsx";
import {
  DEFAULT_TERMS,
  termsDraftOf,
  TermsFields,
  termsInput,
  type TermKey,
  type TermsDraft,
} from "@/components/policies/terms-fields.tsx";
import { termLabel } from "@/components/policies/terms.ts";
import { CustomerPicker, PolicyPicker, ProductPicker } from "@/components/search/pickers.tsx";
import { dateToIso, numberOrUndefined } from "@/components/ui/form-values.ts";
import { LinkButton } from "@/components/ui/links.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { ValidatedForm } from "@/components/ui/validated-form.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateLicenseInput, ZIssueLicensesInput } from "@/server/core/licenses/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Policy = RouterOutputs["policies"]["get"];

function inDays(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** What a policy fills in: its terms, and its duration as an expiry date when it counts from issue. */
function fromPolicy(policy: Policy): TermsDraft & { expiresAt: string } {
  return {
    ...termsDraftOf(policy),
    expiresAt:
      policy.durationDays !== null && policy.durationFrom === "issue" ? inDays(policy.durationDays) : "",
  };
}

/** The terms (named as `overrides` names them) whose fields differ from what the policy filled in. */
function editedTerms(values: TermsDraft & { expiresAt: string }, filled: TermsDraft & { expiresAt: string }) {
  const keys = Object.keys(filled) as (TermKey | "expiresAt")[];
  return new Set(keys.filter((key) => values[key] !== filled[key]));
}

export default function NewLicensePage() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const invalidateQueries = useInvalidate();
  const can = useCan();
  const form = useForm({
    customerId: params.get("customerId") ?? "",
    productId: params.get("productId") ?? "",
    policyId: "",
    count: "1",
    expiresAt: inDays(365),
    ...DEFAULT_TERMS,
  });
  const { values } = form;
  const entitlements = useEntitlementDrafts();
  // what the chosen policy filled in: fields that differ from it are sent as overrides
  const [filled, setFilled] = useState<{
    policy: Policy;
    terms: TermsDraft & { expiresAt: string };
    entitlements: string;
  } | null>(null);
  const queryClient = useQueryClient();
  // the policy field shows only for a product with live standard policies
  const policyCount = useQuery({
    ...trpc.policies.list.queryOptions({ productId: values.productId, kind: "standard", pageSize: 1 }),
    enabled: Boolean(values.productId),
  });
  const features = useQuery({
    ...trpc.features.list.queryOptions({ productId: values.productId }),
    enabled: Boolean(values.productId),
  });
  const onIssued = () => {
    invalidateQueries(trpc.licenses, trpc.customers, trpc.dashboard, trpc.policies);
  };
  const create = useMutation(
    trpc.licenses.create.mutationOptions({
      onSuccess: (license) => {
        onIssued();
        router.push(`/licenses/${license.id}`);
      },
      onError: form.serverErrors,
    }),
  );
  const issueMany = useMutation(
    trpc.licenses.issueMany.mutationOptions({
      onSuccess: (_issued, input) => {
        onIssued();
        toast.success(`${input.count} licenses issued`);
        router.push(`/customers/${input.customerId}`);
      },
      onError: form.serverErrors,
    }),
  );

  /** Fills in the chosen policy's terms (its record and its product's features fetched first). */
  const choosePolicy = async (policyId: string) => {
    form.set("policyId", policyId);
    if (!policyId) {
      setFilled(null);
      form.set("count", "1");
      return;
    }
    const policy = await queryClient.query(trpc.policies.get.queryOptions({ id: policyId }));
    const productFeatures = await queryClient.query(
      trpc.features.list.queryOptions({ productId: policy.product.id }),
    );
    const terms = fromPolicy(policy);
    for (const [key, value] of Object.entries(terms)) form.set(key as keyof typeof terms, value as never);
    const drafts = draftsOf(policy.entitlements);
    entitlements.replace(drafts);
    setFilled({
      policy,
      terms,
      entitlements: JSON.stringify(entitlementsInput(drafts, productFeatures)),
    });
  };
  // the policy page's "Issue license" link names the policy: chosen once, when the page opens
  const [linkedPolicy] = useState(params.get("policyId") ?? "");
  useEffect(() => {
    if (linkedPolicy) void choosePolicy(linkedPolicy);
  }, [linkedPolicy]);

  if (!can("license.write")) {
    return (
      <EmptyState title="Your role may not issue licenses" description="Editors and above issue licenses." />
    );
  }

  const featureList = features.data ?? [];
  const policy = filled?.policy;
  const bulk = Boolean(filled) && (numberOrUndefined(values.count) ?? 1) !== 1;

  /** Without a policy every term is sent; from a policy only the edited ones (its overrides). */
  const toInput = (v: typeof values) => {
    const terms = termsInput(v);
    const allTerms = {
      ...terms,
      expiresAt: dateToIso(v.expiresAt),
      entitlements: entitlements.input(featureList),
    };
    if (!filled) return allTerms;
    const edited = editedTerms(v, filled.terms);
    const chosen = Object.fromEntries(
      Object.entries(allTerms).filter(([key]) =>
        key === "entitlements"
          ? JSON.stringify(allTerms.entitlements) !== filled.entitlements
          : edited.has(key as TermKey | "expiresAt"),
      ),
    );
    return { policyId: filled.policy.id, ...chosen };
  };

  const submit = bulk
    ? form.handleSubmit(ZIssueLicensesInput, issueMany.mutate, (v) => ({
        customerId: v.customerId,
        count: numberOrUndefined(v.count) ?? 0,
        ...toInput(v),
        policyId: v.policyId,
      }))
    : form.handleSubmit(ZCreateLicenseInput, create.mutate, (v) => ({
        customerId: v.customerId,
        productId: v.productId,
        ...toInput(v),
      }));

  const overridden = filled ? editedTerms(values, filled.terms) : new Set<string>();

  return (
    <>
      <PageHeader title="Issue a license" description="Who gets it, for what, on which terms." />
      <ValidatedForm className="flex max-w-4xl flex-col gap-4" onSubmit={submit}>
        <Section title="Customer and product">
          <div className="grid gap-4 sm:grid-cols-2">
            <CustomerPicker label="Customer" {...form.field("customerId")} isRequired />
            <ProductPicker
              label="Product"
              {...form.field("productId")}
              onChange={(v) => {
                form.set("productId", v);
                form.set("policyId", "");
                setFilled(null);
                entitlements.replace({});
              }}
              isRequired
            />
            {values.productId && (policyCount.data?.total ?? 0) > 0 ? (
              <PolicyPicker
                label="Policy"
                productId={values.productId}
                {...form.field("policyId")}
                placeholder="None: set the terms here"
                onChange={(v) => {
                  void choosePolicy(v);
                }}
                description="Fills in its terms; the license follows the policy's changes for every term left as it is."
              />
            ) : null}
            {filled && can("license.write") ? (
              <TextInput
                label="Number of licenses"
                type="number"
                inputMode="numeric"
                {...form.field("count")}
                description="More than one: that many licenses for the customer, each with its own key."
              />
            ) : null}
          </div>
        </Section>
        <Section title="Features and quotas">
          {!values.productId ? (
            <p className="text-sm text-muted">Choose a product to see its features.</p>
          ) : (
            <EntitlementsEditor
              features={features.data}
              isPending={features.isPending}
              drafts={entitlements}
              errors={form.errors}
            />
          )}
        </Section>
        <Section title="Terms">
          {policy ? (
            <p className="mb-3 text-sm text-muted" data-testid="policy-terms-note">
              Terms of {policy.name}.{" "}
              {overridden.size === 0
                ? "Change a field to set that term for this license only."
                : `Set for this license only: ${[...overridden].map((key) => termLabel(key === "expiresAt" ? "duration" : key)).join(", ")}.`}
            </p>
          ) : null}
          <TermsFields
            values={values}
            field={(key) => form.field(key)}
            set={(key, value) => {
              form.set(key, value as (typeof values)[typeof key]);
            }}
          >
            <TextInput
              label="Expires on"
              type="date"
              {...form.field("expiresAt")}
              description={
                policy && policy.durationDays !== null && policy.durationFrom === "first_activation"
                  ? `Empty: ${policy.durationDays} days from its first activation.`
                  : "Empty: never expires."
              }
            />
          </TermsFields>
        </Section>
        <div className="flex gap-2">
          <Button type="submit" isPending={create.isPending || issueMany.isPending}>
            {bulk ? `Issue ${values.count} licenses` : "Issue license"}
          </Button>
          <LinkButton variant="secondary" href="/licenses">
            Cancel
          </LinkButton>
        </div>
      </ValidatedForm>
    </>
  );
}
