"use client";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { Column } from "@/components/ui/data-table.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDate } from "@/components/ui/format.ts";
import {
  archivableNameColumn,
  ListTable,
  UrlFlag,
  useUrlPage,
  useUrlSort,
} from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateProductInput } from "@/server/core/products/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type Product = RouterOutputs["products"]["list"]["items"][number];
const SORTS = ["name", "code", "createdAt"] as const;
const PAGE_SIZE = 25;

const columns: Column<Product>[] = [
  archivableNameColumn("/products"),
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
  const invalidateQueries = useInvalidate();
  const form = useForm({ code: "", name: "", description: "" });
  const create = useMutation(
    trpc.products.create.mutationOptions({
      onSuccess: (product) => {
        invalidateQueries(trpc.products);
        onOpenChange(false);
        router.push(`/products/${product.id}`);
      },
      onError: form.serverErrors,
    }),
  );
  return (
    <FormDialog
      title="New product"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Create product"
      isPending={create.isPending}
      onSubmit={form.handleSubmit(ZCreateProductInput, create.mutate)}
    >
      <TextInput label="Name" {...form.field("name")} isRequired autoFocus />
      <TextInput
        label="Code"
        {...form.field("code")}
        description="What the shipped software sends, e.g. acme-cad. Lower-case letters, digits, '.', '-', '_'."
        isRequired
      />
      <TextInput label="Description" multiline {...form.field("description")} />
    </FormDialog>
  );
}

export default function ProductsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const url = useUrlState();
  const creating = useDialog();
  const { sort, direction, sorting } = useUrlSort(url, SORTS, "name");
  const paging = useUrlPage(url, PAGE_SIZE);
  const includeArchived = url.get("archived") === "1";
  const list = useQuery({
    ...trpc.products.list.queryOptions({
      sort,
      direction,
      page: paging.page,
      pageSize: PAGE_SIZE,
      includeArchived,
    }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Products"
        description="What you license, and the features a license can grant."
        actions={can("catalog.write") ? <OpenButton label="New product" onOpen={creating.open} /> : null}
      />
      <div className="mb-4">
        <UrlFlag url={url} label="Show archived" name="archived" />
      </div>
      <ListTable
        query={list}
        paging={paging}
        label="Products"
        rowHref={(row) => `/products/${row.id}`}
        columns={columns}
        {...sorting}
        empty={<EmptyState title="No products yet" description="A super admin creates the catalog." />}
      />
      <CreateProductDialog {...creating} />
    </>
  );
}
