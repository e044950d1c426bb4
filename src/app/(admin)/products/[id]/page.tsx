"use client";
import { Button } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { FeatureEditDialog } from "@/components/features/feature-edit-dialog.tsx";
import { ArchivableRecordHeader } from "@/components/ui/archivable-record-header.tsx";
import { confirmColumn } from "@/components/ui/confirm-button.tsx";
import { RecordGrid } from "@/components/ui/details.tsx";
import { FormDialog, OpenButton, useDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { LinkButton } from "@/components/ui/links.tsx";
import { ListTable } from "@/components/ui/list-page.tsx";
import { Section } from "@/components/ui/page.tsx";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { EmptyState, RecordFallback } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateFeatureInput } from "@/server/core/features/schemas.ts";
import { ZCreateProductInput } from "@/server/core/products/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { ProductPoliciesCard } from "@/components/policies/product-policies-card.tsx";
import { ReleasesCard } from "@/components/releases/releases-card.tsx";

type Feature = RouterOutputs["features"]["list"][number];
type Product = RouterOutputs["products"]["get"];

/** What can change once created: the code stays (shipped software and .lic files use it). */
const ZEditProductInput = ZCreateProductInput.pick({ name: true, description: true });

function EditProductDialog({
  product,
  isOpen,
  onOpenChange,
}: {
  product: Product;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const initial = { name: product.name, description: product.description };
  const form = useForm(initial);
  useOnOpen(isOpen, () => {
    form.reset(initial);
  });
  const update = useMutation(
    trpc.products.update.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.products);
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  return (
    <FormDialog
      title="Edit product"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Save"
      isPending={update.isPending}
      onSubmit={form.handleSubmit(ZEditProductInput, (input) => {
        update.mutate({ id: product.id, ...input });
      })}
    >
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <TextInput label="Description" multiline {...form.field("description")} />
    </FormDialog>
  );
}

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
  const invalidateQueries = useInvalidate();
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
        invalidateQueries(trpc.features, trpc.products);
        form.reset();
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values } = form;
  return (
    <FormDialog
      title="Add a feature"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Add feature"
      isPending={create.isPending}
      onSubmit={form.handleSubmit(ZCreateFeatureInput, create.mutate, (v) => ({
        productId,
        code: v.code,
        name: v.name,
        description: v.description,
        kind: v.kind,
        ...(v.kind === "metered" ? { unit: v.unit } : {}),
      }))}
    >
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <TextInput
        label="Code"
        {...form.field("code")}
        description="What the software asks for, e.g. export-pdf."
        isRequired
      />
      <SelectInput
        label="Kind"
        {...form.field("kind")}
        options={[
          { value: "boolean", label: "On or off" },
          { value: "metered", label: "Metered (counted against a quota)" },
        ]}
      />
      {values.kind === "metered" ? (
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

export default function ProductPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const adding = useDialog();
  const editing = useDialog();
  const [editingFeature, setEditingFeature] = useState<Feature | undefined>();
  const product = useQuery(trpc.products.get.queryOptions({ id }));
  const features = useQuery(trpc.features.list.queryOptions({ productId: id }));
  const invalidate = () => {
    invalidateQueries(trpc.products, trpc.features);
  };
  const archive = useMutation(trpc.products.archive.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.products.delete.mutationOptions());
  const removeFeature = useMutation(trpc.features.delete.mutationOptions({ onSuccess: invalidate }));

  if (!product.isSuccess) return <RecordFallback query={product} notFound={{ title: "No such product" }} />;
  const p = product.data;
  const write = can("catalog.write");
  return (
    <>
      <ArchivableRecordHeader
        record={p}
        description={<code>{p.code}</code>}
        actions={
          <>
            <LinkButton variant="secondary" href={`/licenses?product=${p.id}`}>
              Licenses
            </LinkButton>
            {write ? <OpenButton label="Edit" variant="secondary" onOpen={editing.open} /> : null}
          </>
        }
        archiving={
          write && {
            kind: "product",
            restoreBody: "Licenses can be issued for it again.",
            archiveBody: "No new licenses can be issued for it.",
            deleteBody: "Only a product without active licenses can be deleted.",
            onArchive: archive.mutateAsync,
            onDelete: remove.mutateAsync,
            onDeleted: invalidate,
            listHref: "/products",
          }
        }
      />
      <RecordGrid
        details={[
          ["Code", <code key="c">{p.code}</code>],
          ["Description", p.description || "—"],
          ["Licenses", p.licenseCount],
          ["Created", formatDateTime(p.createdAt)],
        ]}
      >
        <Section
          title="Features"
          className="lg:col-span-2"
          actions={write ? <OpenButton label="Add feature" size="sm" onOpen={adding.open} /> : null}
        >
          <ListTable<Feature>
            query={features}
            label="Features"
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
              ...(write
                ? [
                    {
                      id: "edit",
                      label: "",
                      render: (f: Feature) => (
                        <Button
                          size="sm"
                          variant="secondary"
                          aria-label={`Edit feature ${f.code}`}
                          onPress={() => {
                            setEditingFeature(f);
                          }}
                        >
                          Edit
                        </Button>
                      ),
                    },
                  ]
                : []),
              confirmColumn(
                "actions",
                (f) =>
                  write && {
                    danger: true,
                    label: "Delete",
                    title: `Delete feature ${f.code}?`,
                    body: "Only a feature no license grants can be deleted.",
                    confirmLabel: "Delete feature",
                    onConfirm: () => removeFeature.mutateAsync({ id: f.id }),
                  },
              ),
            ]}
          />
        </Section>
        <ProductPoliciesCard productId={p.id} className="lg:col-span-3" />
        <ReleasesCard productId={p.id} className="lg:col-span-3" />
      </RecordGrid>
      <AddFeatureDialog productId={p.id} {...adding} />
      <EditProductDialog product={p} {...editing} />
      <FeatureEditDialog
        feature={editingFeature}
        onClose={() => {
          setEditingFeature(undefined);
        }}
      />
    </>
  );
}
