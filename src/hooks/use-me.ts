"use client";
// The signed-in admin and what their role allows; the UI mirrors the domain's policy
// (src/server/core/access/policy.ts) to hide what it would refuse anyway.
import { useQuery } from "@tanstack/react-query";
import { PERMISSIONS, roleAtLeast, type Permission } from "@/server/core/access/policy.ts";
import { useTRPC } from "./trpc.ts";

export function useMe() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.profile.get.queryOptions({}), staleTime: 60_000 });
}

/** Whether the signed-in admin's role grants `permission` (false while unknown). */
export function useCan(): (permission: Permission) => boolean {
  const { data: me } = useMe();
  return (permission) => (me ? roleAtLeast(me.role, PERMISSIONS[permission]) : false);
}
