"use client";
import { Button } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { dateToIso, numberOrUndefined } from "@/components/ui/form-values.ts";
import { LinkButton } from "@/components/ui/links.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { ValidatedForm } from "@/components/ui/validated-form.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { DEFAULT_GRACE_PERIOD_HOURS, ZCreateLicenseInput } from "@/server/core/licenses/schemas.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

interface EntitlementDraft {
  on: boolean;
  quota: string;
  quotaPeriod: "total" | "day" | "month";
}

const LICENSE_TYPE_FLOATING: "floating" | "node_locked" = "floating";

function inOneYear(): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString().slice(0, 10);
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
    type: LICENSE_TYPE_FLOATING,
    seatLimit: "5",
    expiresAt: inOneYear(),
    heartbeatIntervalSeconds: "300",
    gracePeriodHours: String(DEFAULT_GRACE_PERIOD_HOURS[LICENSE_TYPE_FLOATING]),
    offlineAllowanceDays: "30",
  });
  const { values, errors } = form;
  const [entitlements, setEntitlements] = useState<Record<string, EntitlementDraft>>({});
  const customers = useQuery(trpc.customers.list.queryOptions({ pageSize: 200 }));
  const products = useQuery(trpc.products.list.queryOptions({ pageSize: 200 }));
  const features = useQuery({
    ...trpc.features.list.queryOptions({ productId: values.productId }),
    enabled: Boolean(values.productId),
  });
  const create = useMutation(
    trpc.licenses.create.mutationOptions({
      onSuccess: (license) => {
        invalidateQueries(trpc.licenses, trpc.customers, trpc.dashboard);
        router.push(`/licenses/${license.id}`);
      },
      onError: form.serverErrors,
    }),
  );

  if (!can("license.write")) {
    return (
      <EmptyState title="Your role may not issue licenses" description="Editors and above issue licenses." />
    );
  }

  const featureList = features.data ?? [];
  const draftOf = (id: string): EntitlementDraft =>
    entitlements[id] ?? { on: false, quota: "", quotaPeriod: "month" };
  const setDraft = (id: string, change: Partial<EntitlementDraft>) => {
    setEntitlements((current) => ({ ...current, [id]: { ...draftOf(id), ...change } }));
  };

  const submit = form.handleSubmit(ZCreateLicenseInput, create.mutate, (v) => ({
    customerId: v.customerId,
    productId: v.productId,
    type: v.type,
    seatLimit: numberOrUndefined(v.seatLimit),
    expiresAt: dateToIso(v.expiresAt),
    heartbeatIntervalSeconds: numberOrUndefined(v.heartbeatIntervalSeconds),
    gracePeriodHours: numberOrUndefined(v.gracePeriodHours),
    offlineAllowanceDays: numberOrUndefined(v.offlineAllowanceDays),
    entitlements: featureList
      .filter((f) => draftOf(f.id).on)
      .map((f) => {
        const draft = draftOf(f.id);
        return f.kind === "metered"
          ? { featureId: f.id, quota: numberOrUndefined(draft.quota) ?? null, quotaPeriod: draft.quotaPeriod }
          : { featureId: f.id };
      }),
  }));

  const numberField = (
    name: "seatLimit" | "heartbeatIntervalSeconds" | "gracePeriodHours" | "offlineAllowanceDays",
    label: string,
    description: string,
  ) => (
    <TextInput
      label={label}
      type="number"
      inputMode="numeric"
      {...form.field(name)}
      description={description}
      isRequired
    />
  );

  return (
    <>
      <PageHeader title="Issue a license" description="Who gets it, for what, on which terms." />
      <ValidatedForm className="flex max-w-4xl flex-col gap-4" onSubmit={submit}>
        <Section title="Customer and product">
          <div className="grid gap-4 sm:grid-cols-2">
            <SelectInput
              label="Customer"
              {...form.field("customerId")}
              placeholder="Choose a customer"
              options={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
              isRequired
            />
            <SelectInput
              label="Product"
              {...form.field("productId")}
              placeholder="Choose a product"
              options={(products.data?.items ?? []).map((p) => ({
                value: p.id,
                label: `${p.name} (${p.code})`,
              }))}
              onChange={(v) => {
                form.set("productId", v);
                setEntitlements({});
              }}
              isRequired
            />
          </div>
        </Section>
        <Section title="Features and quotas">
          {!values.productId ? (
            <p className="text-sm text-muted">Choose a product to see its features.</p>
          ) : featureList.length === 0 ? (
            <p className="text-sm text-muted">
              {features.isPending
                ? "Loading features…"
                : "This product has no features: the license grants the product as a whole."}
            </p>
          ) : (
            <div className="flex flex-col gap-3" role="group" aria-label="Entitled features">
              {featureList.map((f, index) => {
                const draft = draftOf(f.id);
                return (
                  <div
                    key={f.id}
                    className="flex flex-wrap items-end gap-4 rounded-lg border border-separator p-3"
                  >
                    <div className="min-w-56 flex-1">
                      <CheckboxInput
                        label={`${f.name} (${f.code})`}
                        name={`feature-${f.code}`}
                        checked={draft.on}
                        onChange={(on) => {
                          setDraft(f.id, { on });
                        }}
                        description={
                          f.kind === "metered" ? `metered, counts ${f.unit ?? "units"}` : "on or off"
                        }
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
                            setDraft(f.id, { quota });
                          }}
                          error={errors[`entitlements.${index}.quota`]}
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
                            setDraft(f.id, { quotaPeriod: v as EntitlementDraft["quotaPeriod"] });
                          }}
                        />
                      </>
                    ) : null}
                  </div>
                );
              })}
              {errors.entitlements ? <p className="text-sm text-danger">{errors.entitlements}</p> : null}
            </div>
          )}
        </Section>
        <Section title="Terms">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <SelectInput
              label="Seats are"
              {...form.field("type")}
              onChange={(v) => {
                const type = v as typeof values.type;
                // the grace period follows the type while it still holds the other type's default
                if (values.gracePeriodHours === String(DEFAULT_GRACE_PERIOD_HOURS[values.type])) {
                  form.set("gracePeriodHours", String(DEFAULT_GRACE_PERIOD_HOURS[type]));
                }
                form.set("type", type);
              }}
              options={[
                { value: "floating", label: "Floating: on any machines" },
                { value: "node_locked", label: "Node-locked: bound to machines" },
              ]}
            />
            {numberField("seatLimit", "Seats", "Live sessions (floating) or machines (node-locked).")}
            <TextInput
              label="Expires on"
              type="date"
              {...form.field("expiresAt")}
              description="Empty: never expires."
            />
            {numberField(
              "heartbeatIntervalSeconds",
              "Heartbeat interval (seconds)",
              "30 to 86,400; 300 is usual.",
            )}
            {numberField(
              "gracePeriodHours",
              "Grace period (hours)",
              "How long software runs through an outage; a crashed machine's floating seat stays taken as long (default: 1 floating, 72 node-locked).",
            )}
            {numberField(
              "offlineAllowanceDays",
              "Offline allowance (days)",
              "The longest offline .lic file; 0: none.",
            )}
          </div>
        </Section>
        <div className="flex gap-2">
          <Button type="submit" isPending={create.isPending}>
            Issue license
          </Button>
          <LinkButton variant="secondary" href="/licenses">
            Cancel
          </LinkButton>
        </div>
      </ValidatedForm>
    </>
  );
}
