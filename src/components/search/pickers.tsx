"use client";
// The typed search pickers: customers, products, a product's policies and groups, each searching
// its list procedure on the server (`q`, the first PICKER_PAGE_SIZE by name) and looking up the
// chosen record by id so its name shows whatever page it is on. See search-picker.tsx.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/hooks/trpc.ts";
import { SearchPicker, usePickerSearch, type PickerFieldProps, type PickerOption } from "./search-picker.tsx";

/** Options a picker lists at once: more are found by typing. */
export const PICKER_PAGE_SIZE = 20;

function isListed(options: PickerOption[] | undefined, value: string): boolean {
  return Boolean(options?.some((o) => o.value === value));
}

export function CustomerPicker({
  groupId,
  ...props
}: PickerFieldProps & {
  /** only the customers of this group */
  groupId?: string;
}) {
  const trpc = useTRPC();
  const search = usePickerSearch();
  const list = useQuery({
    ...trpc.customers.list.queryOptions({
      q: search.q || undefined,
      groupId: groupId || undefined,
      sort: "name",
      pageSize: PICKER_PAGE_SIZE,
    }),
    enabled: search.isActive,
    placeholderData: keepPreviousData,
  });
  const options = list.data?.items.map((c) => ({
    value: c.id,
    label: c.name,
    detail: [c.company, c.email].filter(Boolean).join(" · ") || undefined,
  }));
  const chosen = useQuery({
    ...trpc.customers.get.queryOptions({ id: props.value }),
    enabled: Boolean(props.value) && !isListed(options, props.value),
  });
  return (
    <SearchPicker
      placeholder="Search by name, email or company"
      {...props}
      search={search}
      options={options}
      total={list.data?.total}
      isFetching={list.isFetching}
      selected={chosen.data ? { value: chosen.data.id, label: chosen.data.name } : undefined}
    />
  );
}

export function productLabel(product: { name: string; code: string }): string {
  return `${product.name} (${product.code})`;
}

export function ProductPicker({
  includeArchived,
  ...props
}: PickerFieldProps & { includeArchived?: boolean }) {
  const trpc = useTRPC();
  const search = usePickerSearch();
  const list = useQuery({
    ...trpc.products.list.queryOptions({
      q: search.q || undefined,
      includeArchived,
      sort: "name",
      pageSize: PICKER_PAGE_SIZE,
    }),
    enabled: search.isActive,
    placeholderData: keepPreviousData,
  });
  const options = list.data?.items.map((p) => ({ value: p.id, label: productLabel(p) }));
  const chosen = useQuery({
    ...trpc.products.get.queryOptions({ id: props.value }),
    enabled: Boolean(props.value) && !isListed(options, props.value),
  });
  return (
    <SearchPicker
      placeholder="Search by name or code"
      {...props}
      search={search}
      options={options}
      total={list.data?.total}
      isFetching={list.isFetching}
      selected={chosen.data ? { value: chosen.data.id, label: productLabel(chosen.data) } : undefined}
    />
  );
}

/** A product's live policies (standard ones unless `kind` says otherwise); disabled without a product. */
export function PolicyPicker({
  productId,
  kind = "standard",
  ...props
}: PickerFieldProps & { productId: string | undefined; kind?: "standard" | "trial" }) {
  const trpc = useTRPC();
  const search = usePickerSearch();
  const list = useQuery({
    ...trpc.policies.list.queryOptions({
      productId: productId ?? "",
      q: search.q || undefined,
      kind,
      pageSize: PICKER_PAGE_SIZE,
    }),
    enabled: search.isActive && Boolean(productId),
    placeholderData: keepPreviousData,
  });
  const options = productId ? list.data?.items.map((p) => ({ value: p.id, label: p.name })) : [];
  const chosen = useQuery({
    ...trpc.policies.get.queryOptions({ id: props.value }),
    enabled: Boolean(props.value) && !isListed(options, props.value),
  });
  return (
    <SearchPicker
      placeholder="Search by name"
      {...props}
      isDisabled={props.isDisabled || !productId}
      search={search}
      options={options}
      total={productId ? list.data?.total : undefined}
      isFetching={list.isFetching}
      selected={chosen.data ? { value: chosen.data.id, label: chosen.data.name } : undefined}
    />
  );
}

/** One of the caller's groups (super admin: any). */
export function GroupSearchPicker({
  exclude,
  ...props
}: PickerFieldProps & {
  /** groups not to offer (already chosen elsewhere) */
  exclude?: readonly string[];
}) {
  const trpc = useTRPC();
  const search = usePickerSearch();
  const list = useQuery({
    ...trpc.groups.list.queryOptions({ q: search.q || undefined, sort: "name", pageSize: PICKER_PAGE_SIZE }),
    enabled: search.isActive,
    placeholderData: keepPreviousData,
  });
  const options = list.data?.items
    .filter((g) => !exclude?.includes(g.id))
    .map((g) => ({ value: g.id, label: g.name, detail: g.description || undefined }));
  const chosen = useQuery({
    ...trpc.groups.get.queryOptions({ id: props.value }),
    enabled: Boolean(props.value) && !isListed(options, props.value),
  });
  return (
    <SearchPicker
      placeholder="Search by name"
      {...props}
      search={search}
      options={options}
      total={list.data ? list.data.total - (list.data.items.length - (options?.length ?? 0)) : undefined}
      isFetching={list.isFetching}
      selected={chosen.data ? { value: chosen.data.id, label: chosen.data.name } : undefined}
    />
  );
}
