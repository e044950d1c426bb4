"use client";
// Groups for the UI: the first of the caller's groups (a new record's default group), and the
// groups as options (value: the group's id, label: its name) for what shows many at once. Fields
// that choose a group search for it instead (GroupSearchPicker, GroupPicker), whatever their number.
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc.ts";

/** The first of the caller's groups by name (undefined while unknown or when there is none). */
export function useDefaultGroupId(): string | undefined {
  const trpc = useTRPC();
  const groups = useQuery(trpc.groups.list.queryOptions({ sort: "name", pageSize: 1 }));
  return groups.data?.items[0]?.id;
}

/** The first 200 groups by name as options, e.g. to name the groups of a record. */
export function useGroupOptions() {
  const trpc = useTRPC();
  const groups = useQuery(trpc.groups.list.queryOptions({ pageSize: 200 }));
  return (groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }));
}
