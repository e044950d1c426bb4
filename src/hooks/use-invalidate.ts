"use client";
// After a change: refetch what the given tRPC routers answered (every query under each one's path).
import { useQueryClient, type QueryKey } from "@tanstack/react-query";

export function useInvalidate(): (...routers: { pathKey: () => QueryKey }[]) => void {
  const queryClient = useQueryClient();
  return (...routers) => {
    for (const router of routers) void queryClient.invalidateQueries({ queryKey: router.pathKey() });
  };
}
