"use client";
import { Button } from "@heroui/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { isNotFound } from "@/components/errors.ts";
import { FormDialog } from "@/components/form-dialog.tsx";
import { SelectInput, TextInput, useForm } from "@/components/form.tsx";
import {
  ArchiveDeleteButtons,
  ConfirmButton,
  DataTable,
  Details,
  EmptyState,
  ErrorState,
  formatDateTime,
  LinkButton,
  LoadingState,
  PageHeader,
  Section,
  StatusChip,
} from "@/components/ui.tsx";
import { ZCreateFeatureInput } from "@/server/core/features/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Feature = RouterOutputs["features"]["list"][number];

const KIND_BOOLEAN: "boolean" | "metered" = "boolean";

function AddFeatureDialog({
  productId,
  isOpen,
  onOpenChange,
}: {
  productId: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm({
    code: "",
    name: "",
    description: "",
    kind: KIND_BOOLEAN,
    unit: "",
  });
  const create = useMutation(
    trpc.features.create.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.features.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.products.pathKey() });
        form.reset();
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values, errors } = form;
  return (
    <FormDialog
      title="Add a feature"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Add feature"
      isPending={create.isPending}
      onSubmit={() => {
        const input = form.validate(ZCreateFeatureInput, {
          productId,
          code: values.code,
          name: values.name,
          description: values.description,
          kind: values.kind,
          ...(values.kind === "metered" ? { unit: values.unit } : {}),
        });
        if (input) create.mutate(input);
      }}
    >
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
      <TextInput
        label="Code"
        name="code"
        value={values.code}
        onChange={(v) => {
          form.set("code", v);
        }}
        error={errors.code}
        description="What the software asks for, e.g. export-pdf."
        isRequired
      />
      <SelectInput
        label="Kind"
        name="kind"
        value={values.kind}
        options={[
          { value: "boolean", label: "On or off" },
          { value: "metered", label: "Metered (counted against a quota)" },
        ]}
        onChange={(v) => {
          form.set("kind", v as "boolean" | "metered");
        }}
      />
      {values.kind === "metered" ? (
        <TextInput
          label="Unit"
          name="unit"
          value={values.unit}
          onChange={(v) => {
            form.set("unit", v);
          }}
          error={errors.unit}
          description="What it counts, e.g. calls or pages."
          isRequired
        />
      ) : null}
    </FormDialog>
  );
}

export default function ProductPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const can = useCan();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const product = useQuery(trpc.products.get.queryOptions({ id }));
  const features = useQuery(trpc.features.list.queryOptions({ productId: id }));
  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.products.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.features.pathKey() });
  };
  const archive = useMutation(trpc.products.archive.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.products.delete.mutationOptions());
  const removeFeature = useMutation(trpc.features.delete.mutationOptions({ onSuccess: invalidate }));

  if (product.isPending) return <LoadingState />;
  if (product.isError) {
    return isNotFound(product.error) ? (
      <EmptyState title="No such product" />
    ) : (
      <ErrorState error={product.error} onRetry={() => void product.refetch()} />
    );
  }
  const p = product.data;
  const write = can("catalog.write");
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {p.name}
            {p.archivedAt ? <StatusChip status="archived" /> : null}
          </span>
        }
        description={<code>{p.code}</code>}
        actions={
          <>
            <LinkButton variant="secondary" href={`/licenses?product=${p.id}`}>
              Licenses
            </LinkButton>
            {write ? (
              <ArchiveDeleteButtons
                kind="product"
                name={p.name}
                archived={p.archivedAt !== null}
                restoreBody="Licenses can be issued for it again."
                archiveBody="No new licenses can be issued for it."
                deleteBody="Only a product without active licenses can be deleted."
                onArchive={(archived) => archive.mutateAsync({ id: p.id, archived })}
                onDelete={() => remove.mutateAsync({ id: p.id })}
                onDeleted={() => {
                  invalidate();
                  router.push("/products");
                }}
              />
            ) : null}
          </>
        }
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Section title="Details">
          <Details
            items={[
              ["Code", <code key="c">{p.code}</code>],
              ["Description", p.description || "—"],
              ["Licenses", p.licenseCount],
              ["Created", formatDateTime(p.createdAt)],
            ]}
          />
        </Section>
        <Section
          title="Features"
          className="lg:col-span-2"
          actions={
            write ? (
              <Button
                size="sm"
                onPress={() => {
                  setAdding(true);
                }}
              >
                Add feature
              </Button>
            ) : null
          }
        >
          <DataTable<Feature>
            label="Features"
            rows={features.data}
            isLoading={features.isPending}
            empty={
              <EmptyState title="No features" description="Licenses then grant the product as a whole." />
            }
            columns={[
              { id: "name", label: "Name", isRowHeader: true, render: (f) => f.name },
              { id: "code", label: "Code", render: (f) => <code className="text-xs">{f.code}</code> },
              {
                id: "kind",
                label: "Kind",
                render: (f) => (f.kind === "metered" ? `metered (${f.unit ?? ""})` : "on/off"),
              },
              {
                id: "actions",
                label: "",
                render: (f) =>
                  write ? (
                    <ConfirmButton
                      danger
                      label="Delete"
                      title={`Delete feature ${f.code}?`}
                      body="Only a feature no license grants can be deleted."
                      confirmLabel="Delete feature"
                      onConfirm={() => removeFeature.mutateAsync({ id: f.id })}
                    />
                  ) : null,
              },
            ]}
          />
        </Section>
      </div>
      <AddFeatureDialog productId={p.id} isOpen={adding} onOpenChange={setAdding} />
    </>
  );
}
