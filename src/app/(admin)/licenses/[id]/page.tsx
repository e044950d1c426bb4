"use client";
// A license: its terms and entitlements, its live sessions, use and validations over time, bound
// machines, offline files, and its audit trail (the lists in pages of 10, fetched page by page).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import type { ReactNode } from "react";
import { AuditList } from "@/components/audit/audit-list.tsx";
import { DownloadLicenseFileButton, RenewButton } from "@/components/licenses/license-dialogs.tsx";
import { EditEntitlementsButton, EditTermsButton } from "@/components/licenses/license-edit-dialogs.tsx";
import {
  checkInLabel,
  durationLabel,
  expiryStrategyLabel,
  machineMatchingLabel,
  overageLabel,
  quotaLabel,
  termLabel,
  typeLabel,
} from "@/components/policies/terms.ts";
import { ExportCsvLink } from "@/components/ui/export-link.tsx";
import { StatusChip } from "@/components/ui/chips.tsx";
import { ConfirmButton, confirmColumn } from "@/components/ui/confirm-button.tsx";
import { CopyButton } from "@/components/ui/copy.tsx";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { RecordGrid } from "@/components/ui/details.tsx";
import { formatDate, formatDateTime, relativeDays } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { ListResults, ListTable, useLocalPage } from "@/components/ui/list-page.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { EmptyState, Loaded, RecordFallback } from "@/components/ui/states.tsx";
import { CHART_COLORS, TimeChart } from "@/components/ui/time-chart.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Session = RouterOutputs["sessions"]["list"]["items"][number];
type Machine = RouterOutputs["machines"]["list"][number];
type Issuance = RouterOutputs["offline"]["issuances"]["items"][number];
type Entitlement = RouterOutputs["licenses"]["get"]["entitlements"][number];

/** Sessions and bound machines show the machine's host name, or its fingerprint when it sent none. */
function machineColumn<T extends Session | Machine>(): Column<T> {
  return { id: "host", label: "Machine", isRowHeader: true, render: (m) => m.hostname || m.fingerprint };
}

/**
 * What ending a session does: its heartbeats are refused, but a machine holding a grace token
 * may run offline until it expires, and its seat stays held until then (a floating license's
 * seats hold through outages).
 */
function endSessionBody(s: Session): string {
  if (!s.graceUntil || new Date(s.graceUntil) <= new Date()) {
    return "Its seat is freed at once; the software must activate again.";
  }
  return `The software must activate again. The machine may keep running offline until ${formatDateTime(s.graceUntil)}; its seat is freed then.`;
}

/** Rows per page of the lists on a license's page. */
const PAGE_SIZE = 10;
const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short" });

const SERIES_COLORS = [CHART_COLORS.accent, CHART_COLORS.success, CHART_COLORS.warning, CHART_COLORS.danger];

export default function LicensePage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const license = useQuery(trpc.licenses.get.queryOptions({ id }));
  const sessionsPage = useLocalPage(PAGE_SIZE);
  const auditPage = useLocalPage(PAGE_SIZE);
  const sessions = useQuery({
    // open ones and ended ones whose grace token still holds their seat
    ...trpc.sessions.list.queryOptions({
      licenseId: id,
      state: "seated",
      page: sessionsPage.page,
      pageSize: PAGE_SIZE,
    }),
    refetchInterval: 15_000,
  });
  // whole hours, so that the query key stays put between renders
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  const activity = useQuery(
    trpc.dashboard.licenseActivity.queryOptions({
      licenseId: id,
      granularity: "day",
      from: new Date(to.getTime() - 30 * 86_400_000).toISOString(),
      to: to.toISOString(),
    }),
  );
  const machines = useQuery({
    ...trpc.machines.list.queryOptions({ licenseId: id }),
    enabled: license.data?.type === "node_locked",
  });
  const usage = useQuery(trpc.usage.get.queryOptions({ licenseId: id }));
  const issuances = useQuery(trpc.offline.issuances.queryOptions({ id }));
  const audit = useQuery({
    ...trpc.audit.list.queryOptions({
      targetType: "license",
      targetId: id,
      page: auditPage.page,
      pageSize: PAGE_SIZE,
    }),
    enabled: can("audit.read"),
  });
  const refresh = () => {
    invalidateQueries(trpc.licenses, trpc.audit, trpc.dashboard);
  };
  const suspend = useMutation(trpc.licenses.suspend.mutationOptions({ onSuccess: refresh }));
  const reinstate = useMutation(trpc.licenses.reinstate.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.licenses.revoke.mutationOptions({ onSuccess: refresh }));
  const endSession = useMutation(
    trpc.sessions.end.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.sessions);
        refresh();
      },
    }),
  );
  const release = useMutation(
    trpc.machines.release.mutationOptions({
      onSuccess: () => {
        // releasing a machine also ends its open sessions
        invalidateQueries(trpc.machines, trpc.sessions);
        refresh();
      },
    }),
  );

  if (!license.isSuccess) {
    return (
      <RecordFallback
        query={license}
        notFound={{
          title: "No such license",
          description: "It does not exist, or it belongs to a group you are not in.",
        }}
      />
    );
  }
  const l = license.data;
  const status = l.effectiveStatus;

  const validationPoints = (activity.data?.series ?? []).map((p) => ({
    x: dayFormat.format(new Date(p.at)),
    valid: p.validations - p.refused,
    refused: p.refused,
  }));
  const usageFeatures = usage.data?.features ?? [];
  const periods = [...new Set(usageFeatures.flatMap((f) => f.series.map((p) => p.period)))].sort();
  const usagePoints = periods.map((period) => {
    const point: Record<string, string | number> = { x: period };
    for (const f of usageFeatures)
      point[f.featureCode] = f.series.find((p) => p.period === period)?.amount ?? 0;
    return point;
  });

  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span className="font-mono text-xl" data-testid="license-key">
              {l.key}
            </span>
            <StatusChip status={status} />
            {l.trial ? <StatusChip status="trial" /> : null}
          </span>
        }
        description={
          <>
            <TextLink href={`/customers/${l.customer.id}`}>{l.customer.name}</TextLink> · {l.product.name}
            {l.statusReason ? ` · ${l.statusReason}` : ""}
          </>
        }
        actions={
          <>
            <CopyButton text={l.key} label="Copy key" what="License key" />
            {can("license.checkout") ? <DownloadLicenseFileButton license={l} /> : null}
            {can("license.write") && status !== "revoked" ? (
              <>
                <EditTermsButton license={l} />
                <EditEntitlementsButton license={l} />
                <RenewButton license={l} />
              </>
            ) : null}
            {can("license.status") && status === "active" ? (
              <ConfirmButton
                size="md"
                label="Suspend"
                title="Suspend this license?"
                body="Validations answer SUSPENDED until it is reinstated; open sessions end."
                reasonLabel="Reason (optional, shown on the license)"
                confirmLabel="Suspend"
                onConfirm={(reason) => suspend.mutateAsync({ id: l.id, ...(reason ? { reason } : {}) })}
              />
            ) : null}
            {can("license.status") && status === "suspended" ? (
              <ConfirmButton
                size="md"
                label="Reinstate"
                title="Reinstate this license?"
                body="It becomes active again (unless it has expired meanwhile)."
                confirmLabel="Reinstate"
                onConfirm={() => reinstate.mutateAsync({ id: l.id })}
              />
            ) : null}
            {can("license.status") && status !== "revoked" ? (
              <ConfirmButton
                size="md"
                danger
                label="Revoke"
                title="Revoke this license for good?"
                body="A revoked license cannot be reinstated or renewed. Its sessions end at once."
                reasonLabel="Reason (optional)"
                confirmLabel="Revoke license"
                onConfirm={(reason) => revoke.mutateAsync({ id: l.id, ...(reason ? { reason } : {}) })}
              />
            ) : null}
          </>
        }
      />
      <RecordGrid
        title="Terms"
        details={[
          ["Status", <StatusChip key="s" status={status} />],
          [
            "Policy",
            l.policy ? (
              <TextLink key="p" href={`/policies/${l.policy.id}`}>
                {l.policy.name}
              </TextLink>
            ) : (
              "none"
            ),
          ],
          ...(l.policy
            ? ([
                [
                  "Set on this license",
                  <span key="o" data-testid="license-overrides">
                    {l.overrides.length
                      ? l.overrides.map(termLabel).join(", ")
                      : "nothing: all from the policy"}
                  </span>,
                ],
              ] as [string, ReactNode][])
            : []),
          ["Type", typeLabel(l.type)],
          ["Seats", `${sessions.data?.total ?? l.openSessions} in use of ${l.seatLimit}`],
          ["Starts", formatDateTime(l.startsAt)],
          ["Expires", l.expiresAt ? `${formatDate(l.expiresAt)} (${relativeDays(l.expiresAt)})` : "never"],
          ["Heartbeat", `every ${l.heartbeatIntervalSeconds} s`],
          ["Grace period", `${l.gracePeriodHours} h`],
          ["Offline allowance", l.offlineAllowanceDays ? `${l.offlineAllowanceDays} days` : "none"],
          [
            "Check-in",
            `${checkInLabel(l.checkInIntervalDays)}${l.lastCheckInAt ? `, last ${formatDateTime(l.lastCheckInAt)}` : ""}`,
          ],
          ["After expiry", expiryStrategyLabel(l.expiryStrategy)],
          l.type === "floating"
            ? ["Overage", overageLabel(l.overage)]
            : ["Machine matching", machineMatchingLabel(l.machineMatching)],
          ...(l.durationDays !== null && !l.activatedAt
            ? ([["Duration", durationLabel(l.durationDays, l.durationFrom)]] as [string, string][])
            : []),
          ...(l.activatedAt
            ? ([["First activated", formatDateTime(l.activatedAt)]] as [string, string][])
            : []),
          ["Issued", formatDateTime(l.createdAt)],
          ...(l.suspendedAt ? ([["Suspended", formatDateTime(l.suspendedAt)]] as [string, string][]) : []),
          ...(l.revokedAt ? ([["Revoked", formatDateTime(l.revokedAt)]] as [string, string][]) : []),
        ]}
      >
        <Section title="Entitlements" className="lg:col-span-2">
          <DataTable<Entitlement & { id: string }>
            label="Entitlements"
            rows={l.entitlements.map((e) => ({ ...e, id: e.featureId }))}
            empty={
              <EmptyState title="No features" description="The license grants the product as a whole." />
            }
            columns={[
              { id: "name", label: "Feature", isRowHeader: true, render: (e) => `${e.name} (${e.code})` },
              { id: "kind", label: "Kind", render: (e) => e.kind },
              {
                id: "quota",
                label: "Quota",
                render: quotaLabel,
              },
              {
                id: "used",
                label: "Used this period",
                render: (e) => {
                  const used = usageFeatures.find((f) => f.featureCode === e.code);
                  return used ? used.usedThisPeriod.toLocaleString("en") : "—";
                },
              },
            ]}
          />
        </Section>
      </RecordGrid>

      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <Section
          title={`Live sessions (${sessions.data?.total ?? "…"})`}
          actions={
            <ExportCsvLink
              path="/api/v1/sessions/export.csv"
              params={{ licenseId: id, state: "seated" }}
              size="sm"
            />
          }
        >
          <ListTable<Session>
            query={sessions}
            paging={sessionsPage}
            hideSinglePage
            label="Live sessions"
            empty={<EmptyState title="No open sessions" />}
            columns={[
              machineColumn(),
              { id: "state", label: "State", render: (s) => <StatusChip status={s.state} /> },
              { id: "version", label: "Version", render: (s) => s.clientVersion },
              { id: "beat", label: "Last heartbeat", render: (s) => formatDateTime(s.lastHeartbeatAt) },
              ...(l.type === "floating"
                ? [
                    {
                      id: "held",
                      label: "Seat held until",
                      render: (s: Session) => (s.graceUntil ? formatDateTime(s.graceUntil) : "—"),
                    },
                  ]
                : []),
              confirmColumn(
                "end",
                (s) =>
                  can("session.manage") &&
                  s.state !== "held" && {
                    label: "End",
                    title: "End this session?",
                    body: endSessionBody(s),
                    confirmLabel: "End session",
                    onConfirm: () => endSession.mutateAsync({ id: s.id }),
                  },
              ),
            ]}
          />
        </Section>
        <Section title="Validations (last 30 days)">
          <Loaded query={activity}>
            {validationPoints.every((p) => p.valid === 0 && p.refused === 0) ? (
              <EmptyState
                title="No validations in the last 30 days"
                description="Counted when the software validates or activates this license."
              />
            ) : (
              <TimeChart
                label="This license's validations per day"
                kind="bar"
                stacked
                data={validationPoints}
                series={[
                  { key: "valid", label: "Valid", color: CHART_COLORS.success },
                  { key: "refused", label: "Refused", color: CHART_COLORS.danger },
                ]}
              />
            )}
          </Loaded>
        </Section>
        <Section title="Usage (last 30 days)">
          <Loaded query={usage}>
            {usageFeatures.length === 0 ? (
              <EmptyState
                title="No metered features"
                description="Usage is recorded for metered features only."
              />
            ) : usagePoints.length === 0 ? (
              <EmptyState title="No usage recorded yet" />
            ) : (
              <TimeChart
                label="Usage per day"
                kind="bar"
                data={usagePoints}
                series={usageFeatures.map((f, i) => ({
                  key: f.featureCode,
                  label: f.name,
                  color: SERIES_COLORS[i % SERIES_COLORS.length] ?? CHART_COLORS.accent,
                }))}
              />
            )}
          </Loaded>
        </Section>
        {l.type === "node_locked" ? (
          <Section title="Bound machines">
            <ListTable<Machine>
              query={machines}
              label="Bound machines"
              empty={<EmptyState title="No machine bound yet" />}
              columns={[
                machineColumn(),
                {
                  id: "components",
                  label: "Components",
                  // what tolerant matching compares (hashed); none: matched by fingerprint only
                  render: (m) => (m.components ? m.componentKinds.join(", ") : "none"),
                },
                { id: "bound", label: "Bound", render: (m) => formatDateTime(m.boundAt) },
                { id: "seen", label: "Last seen", render: (m) => formatDateTime(m.lastSeenAt) },
                confirmColumn(
                  "release",
                  (m) =>
                    can("session.manage") && {
                      label: "Release",
                      title: "Release this machine?",
                      body: "Its place is freed and its open sessions end.",
                      confirmLabel: "Release",
                      onConfirm: () => release.mutateAsync({ id: m.id }),
                    },
                ),
              ]}
            />
          </Section>
        ) : null}
        <Section title="Offline files issued">
          <ListTable<Issuance>
            query={issuances}
            label="Offline files issued"
            empty={<EmptyState title="No offline file checked out" />}
            columns={[
              { id: "issued", label: "Issued", isRowHeader: true, render: (i) => formatDateTime(i.issuedAt) },
              { id: "expires", label: "Valid until", render: (i) => formatDate(i.expiresAt) },
              { id: "machine", label: "Machine", render: (i) => i.fingerprint ?? "any" },
              { id: "enc", label: "Encrypted", render: (i) => (i.encrypted ? "yes" : "no") },
              { id: "by", label: "By", render: (i) => i.issuedBy },
            ]}
          />
        </Section>
      </div>
      {can("audit.read") ? (
        <Section title="Audit trail" className="mt-4">
          <ListResults query={audit} paging={auditPage} hideSinglePage>
            <AuditList events={audit.data?.items} isLoading={audit.isPending} />
          </ListResults>
        </Section>
      ) : null}
    </>
  );
}
