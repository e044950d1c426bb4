"use client";
// A product's policies on its page: each live policy with its seats and licenses, a link to all of
// them (archived too) and to creating one.
import { useQuery } from "@tanstack/react-query";
import { StatusChip } from "@/components/ui/chips.tsx";
import { LinkButton, TextLink } from "@/components/ui/links.tsx";
import { ListTable } from "@/components/ui/list-page.tsx";
import { Section } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { durationLabel, typeLabel } from "./terms.ts";

type Policy = RouterOutputs["policies"]["list"]["items"][number];

export function ProductPoliciesCard({ productId, className }: { productId: string; className?: string }) {
  const trpc = useTRPC();
  const can = useCan();
  const policies = useQuery({
    ...trpc.policies.list.queryOptions({ productId, pageSize: 100 }),
    enabled: can("policy.read"),
  });
  if (!can("policy.read")) return null;
  return (
    <Section
      title="Policies"
      className={className}
      actions={
        <span className="flex gap-2">
          <TextLink href={`/policies?product=${productId}`}>All</TextLink>
          {can("policy.write") ? (
            <LinkButton size="sm" href={`/policies?product=${productId}&new=1`}>
              New policy
            </LinkButton>
          ) : null}
        </span>
      }
    >
      <ListTable<Policy>
        query={policies}
        label="Policies"
        empty={
          <EmptyState title="No policies" description="Licenses are then issued on terms set one by one." />
        }
        columns={[
          {
            id: "name",
            label: "Name",
            isRowHeader: true,
            render: (p) => (
              <span className="flex items-center gap-2">
                <TextLink href={`/policies/${p.id}`}>{p.name}</TextLink>
                {p.kind === "trial" ? <StatusChip status="trial" /> : null}
              </span>
            ),
          },
          { id: "seats", label: "Seats", render: (p) => `${p.seatLimit} ${typeLabel(p.type)}` },
          { id: "duration", label: "Duration", render: (p) => durationLabel(p.durationDays, p.durationFrom) },
          { id: "licenses", label: "Licenses", className: "text-right", render: (p) => p.licenseCount },
        ]}
      />
    </Section>
  );
}
