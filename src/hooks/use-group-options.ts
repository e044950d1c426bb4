"use client";
// The groups as a picker's or a select's options (value: the group's id, label: its name).
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc.ts";

export function useGroupOptions() {
  const trpc = useTRPC();
  const groups = useQuery(trpc.groups.list.queryOptions({ pageSize: 200 }));
  return (groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }));
}
