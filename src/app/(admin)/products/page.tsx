"use client";
import { Button } from "@heroui/react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormDialog } from "@/components/form-dialog.tsx";
import { CheckboxInput, TextInput, useForm } from "@/components/form.tsx";
import {
  DataTable,
  EmptyState,
  ErrorState,
  formatDate,
  Pager,
  PageHeader,
  StatusChip,
  TextLink,
  type Column,
} from "@/components/ui.tsx";
import { ZCreateProductInput } from "@/server/core/products/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type Product = RouterOutputs["products"]["list"]["items"][number];
const PAGE_SIZE = 25;

const columns: Column<Product>[] = [
  {
    id: "name",
    label: "Name",
    sortKey: "name",
    isRowHeader: true,
    render: (p) => (
      <span className="flex items-center gap-2">
        <TextLink href={`/products/${p.id}`}>{p.name}</TextLink>
        {p.archivedAt ? <StatusChip status="archived" /> : null}
      </span>
    ),
  },
  { id: "code", label: "Code", sortKey: "code", render: (p) => <code className="text-xs">{p.code}</code> },
  { id: "features", label: "Features", render: (p) => p.featureCount },
  { id: "licenses", label: "Licenses", render: (p) => p.licenseCount },
  { id: "createdAt", label: "Created", sortKey: "createdAt", render: (p) => formatDate(p.createdAt) },
];

function CreateProductDialog({
  isOpen,
  onOpenChange,
}: {
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const form = useForm({ code: "", name: "", description: "" });
  const create = useMutation(
    trpc.products.create.mutationOptions({
      onSuccess: (product) => {
        void queryClient.invalidateQueries({ queryKey: trpc.products.pathKey() });
        onOpenChange(false);
        router.push(`/products/${product.id}`);
      },
      onError: form.serverErrors,
    }),
  );
  const { values, errors } = form;
  return (
    <FormDialog
      title="New product"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Create product"
      isPending={create.isPending}
      onSubmit={() => {
        const input = form.validate(ZCreateProductInput, values);
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
        description="What the shipped software sends, e.g. acme-cad. Lower-case letters, digits, '.', '-', '_'."
        isRequired
      />
      <TextInput
        label="Description"
        name="description"
        multiline
        value={values.description}
        onChange={(v) => {
          form.set("description", v);
        }}
        error={errors.description}
      />
    </FormDialog>
  );
}

export default function ProductsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const url = useUrlState();
  const [creating, setCreating] = useState(false);
  const sortParam = url.get("sort", "name");
  const sort = (["name", "code", "createdAt"] as const).find((s) => s === sortParam) ?? "name";
  const direction = url.get("direction") === "desc" ? "desc" : "asc";
  const page = url.getInt("page", 1);
  const includeArchived = url.get("archived") === "1";
  const list = useQuery({
    ...trpc.products.list.queryOptions({ sort, direction, page, pageSize: PAGE_SIZE, includeArchived }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Products"
        description="What you license, and the features a license can grant."
        actions={
          can("catalog.write") ? (
            <Button
              onPress={() => {
                setCreating(true);
              }}
            >
              New product
            </Button>
          ) : null
        }
      />
      <div className="mb-4">
        <CheckboxInput
          label="Show archived"
          name="archived"
          checked={includeArchived}
          onChange={(checked) => {
            url.set({ archived: checked ? "1" : undefined });
          }}
        />
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <DataTable
            label="Products"
            columns={columns}
            rows={list.data?.items}
            isLoading={list.isPending}
            sort={{ sort, direction }}
            onSortChange={(next) => {
              url.set({ sort: next.sort, direction: next.direction });
            }}
            empty={<EmptyState title="No products yet" description="A super admin creates the catalog." />}
          />
          {list.data ? (
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              total={list.data.total}
              onPage={(next) => {
                url.set({ page: next });
              }}
            />
          ) : null}
        </>
      )}
      <CreateProductDialog isOpen={creating} onOpenChange={setCreating} />
    </>
  );
}
