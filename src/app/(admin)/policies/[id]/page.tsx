"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { StatusChip, WithStatus } from "@/components/ui/chips.tsx";
import { ConfirmButton } from "@/components/ui/confirm-button.tsx";
import { DataTable } from "@/components/ui/data-table.tsx";
import { RecordGrid } from "@/components/ui/details.tsx";
import { OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { LinkButton, TextLink } from "@/components/ui/links.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { EmptyState, RecordFallback } from "@/components/ui/states.tsx";
import { AuditList } from "@/components/audit/audit-list.tsx";
import { PolicyFormDialog, type Policy } from "@/components/policies/policy-form-dialog.tsx";
import {
  checkInLabel,
  durationLabel,
  expiryStrategyLabel,
  machineMatchingLabel,
  overageLabel,
  quotaLabel,
  typeLabel,
} from "@/components/policies/terms.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Entitlement = Policy["entitlements"][number];

export default function PolicyPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const editing = useDialog();
  const policy = useQuery(trpc.policies.get.queryOptions({ id }));
  const audit = useQuery({
    ...trpc.audit.list.queryOptions({ targetType: "policy", targetId: id, pageSize: 20 }),
    enabled: can("audit.read"),
  });
  const archive = useMutation(
    trpc.policies.archive.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.policies, trpc.audit);
      },
    }),
  );

  if (!policy.isSuccess) return <RecordFallback query={policy} notFound={{ title: "No such policy" }} />;
  const p = policy.data;
  const write = can("policy.write");
  const archived = p.archivedAt !== null;
  return (
    <>
      <PageHeader
        title={
          <WithStatus status={archived && "archived"} className="gap-3">
            {p.name}
            {p.kind === "trial" ? <StatusChip status="trial" /> : null}
          </WithStatus>
        }
        description={
          <>
            <TextLink href={`/products/${p.product.id}`}>{p.product.name}</TextLink>
            {p.description ? ` · ${p.description}` : ""}
          </>
        }
        actions={
          <>
            {can("license.write") && p.kind === "standard" && !archived ? (
              <LinkButton href={`/licenses/new?productId=${p.product.id}&policyId=${p.id}`}>
                Issue license
              </LinkButton>
            ) : null}
            {write ? <OpenButton label="Edit" variant="secondary" onOpen={editing.open} /> : null}
            {write ? (
              <ConfirmButton
                size="md"
                label={archived ? "Restore" : "Archive"}
                title={archived ? "Restore this policy?" : "Archive this policy?"}
                body={
                  archived
                    ? "Licenses can be issued from it again."
                    : "No new licenses can be issued from it; the licenses issued keep their terms and still follow its changes."
                }
                confirmLabel={archived ? "Restore" : "Archive"}
                onConfirm={() => archive.mutateAsync({ id: p.id, archived: !archived })}
              />
            ) : null}
          </>
        }
      />
      <RecordGrid
        title="Terms"
        details={[
          ["Kind", p.kind === "trial" ? "trial" : "standard"],
          ["Type", typeLabel(p.type)],
          ["Seats", p.seatLimit],
          ["Duration", durationLabel(p.durationDays, p.durationFrom)],
          ["Heartbeat", `every ${p.heartbeatIntervalSeconds} s`],
          ["Grace period", `${p.gracePeriodHours} h`],
          ["Offline allowance", p.offlineAllowanceDays ? `${p.offlineAllowanceDays} days` : "none"],
          ["Check-in", checkInLabel(p.checkInIntervalDays)],
          ["After expiry", expiryStrategyLabel(p.expiryStrategy)],
          ...(p.type === "floating"
            ? ([["Overage", overageLabel(p.overage)]] as [string, string][])
            : ([["Machine matching", machineMatchingLabel(p.machineMatching)]] as [string, string][])),
          [
            "Licenses issued",
            <span key="n" data-testid="policy-license-count">
              {p.licenseCount}
            </span>,
          ],
          ["Created", formatDateTime(p.createdAt)],
          ["Changed", formatDateTime(p.updatedAt)],
        ]}
      >
        <Section title="Entitlements" className="lg:col-span-2">
          <DataTable<Entitlement & { id: string }>
            label="Entitlements"
            rows={p.entitlements.map((e) => ({ ...e, id: e.featureId }))}
            empty={
              <EmptyState title="No features" description="Its licenses grant the product as a whole." />
            }
            columns={[
              { id: "name", label: "Feature", isRowHeader: true, render: (e) => `${e.name} (${e.code})` },
              { id: "kind", label: "Kind", render: (e) => e.kind },
              {
                id: "quota",
                label: "Quota",
                render: quotaLabel,
              },
            ]}
          />
        </Section>
      </RecordGrid>
      {can("audit.read") ? (
        <Section title="Audit trail" className="mt-4">
          <AuditList events={audit.data?.items ?? []} />
        </Section>
      ) : null}
      <PolicyFormDialog productId={p.product.id} policy={p} {...editing} />
    </>
  );
}
