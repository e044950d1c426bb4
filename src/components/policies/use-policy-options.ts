"use client";
// A product's live standard policies (the ones licenses are issued from) as a select's options.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/hooks/trpc.ts";

export function usePolicies(productId: string | undefined) {
  const trpc = useTRPC();
  const policies = useQuery({
    ...trpc.policies.list.queryOptions({ productId: productId ?? "", pageSize: 200 }),
    enabled: Boolean(productId),
  });
  return (policies.data?.items ?? []).filter((p) => p.kind === "standard" && p.archivedAt === null);
}

export function usePolicyOptions(productId: string | undefined) {
  return usePolicies(productId).map((p) => ({ value: p.id, label: p.name }));
}
