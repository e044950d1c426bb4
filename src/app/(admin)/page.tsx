"use client";
import { useQuery } from "@tanstack/react-query";
import { AuditList } from "@/components/audit/audit-list.tsx";
import { licenseColumns, LicenseTable } from "@/components/licenses/license-table.tsx";
import { formatDateTime, relativeDays } from "@/components/ui/format.ts";
import { TextLink } from "@/components/ui/links.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { StatCard } from "@/components/ui/stat-card.tsx";
import { EmptyState, ErrorState, Loaded } from "@/components/ui/states.tsx";
import { CHART_COLORS, TimeChart } from "@/components/ui/time-chart.tsx";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const RANGES = {
  "7d": { days: 7, granularity: "hour" as const, label: "Last 7 days, hourly" },
  "30d": { days: 30, granularity: "day" as const, label: "Last 30 days, daily" },
  "90d": { days: 90, granularity: "day" as const, label: "Last 90 days, daily" },
};
type RangeKey = keyof typeof RANGES;

const hourFormat = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", hour: "2-digit" });
const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short" });

type TrialStats = NonNullable<RouterOutputs["dashboard"]["summary"]["trials"]>;

/** The share of the last 30 days' trials that became paid licenses. */
function TrialConversionCard({ trials }: { trials: TrialStats | null | undefined }) {
  const recent = trials?.last30Days;
  const rate = recent?.conversionRate;
  return (
    <StatCard
      label="Trial conversion (30 days)"
      value={!trials ? "…" : rate === null || rate === undefined ? "—" : `${Math.round(rate * 100)} %`}
      hint={
        recent ? (
          <TextLink href="/trials">
            {recent.converted} of {recent.started} trial{recent.started === 1 ? "" : "s"} converted
            {trials.active ? `, ${trials.active} running` : ""}
          </TextLink>
        ) : undefined
      }
    />
  );
}

export default function DashboardPage() {
  const trpc = useTRPC();
  const can = useCan();
  const url = useUrlState();
  const rangeKey = (url.get("range", "30d") in RANGES ? url.get("range", "30d") : "30d") as RangeKey;
  const range = RANGES[rangeKey];
  const summary = useQuery(trpc.dashboard.summary.queryOptions({}));
  // whole hours, so that the query key stays put between renders
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - range.days * 86_400_000);
  const activity = useQuery(
    trpc.dashboard.activity.queryOptions({
      from: from.toISOString(),
      to: to.toISOString(),
      granularity: range.granularity,
    }),
  );

  const points = (activity.data?.series ?? []).map((p) => {
    const at = new Date(p.at);
    return {
      x: range.granularity === "hour" ? hourFormat.format(at) : dayFormat.format(at),
      valid: p.validations - p.refused,
      refused: p.refused,
      sessions: p.activeSessions,
    };
  });

  return (
    <>
      <PageHeader title="Dashboard" description="Licenses and their use across your groups." />
      {summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <div className={`grid grid-cols-2 gap-4 ${can("trial.read") ? "lg:grid-cols-5" : "lg:grid-cols-4"}`}>
          <StatCard label="Customers" value={summary.data?.customers ?? "…"} />
          <StatCard label="Active licenses" value={summary.data?.activeLicenses ?? "…"} />
          <StatCard label="Active sessions" value={summary.data?.activeSessions ?? "…"} />
          <StatCard
            label="Expiring within 30 days"
            value={summary.data?.expiringSoonTotal ?? "…"}
            hint={summary.data && summary.data.expiringSoonTotal > 0 ? "renew them in time" : undefined}
          />
          {/* known from the admin's role before the summary arrives (the server sends none without it) */}
          {can("trial.read") ? <TrialConversionCard trials={summary.data?.trials} /> : null}
        </div>
      )}

      <div className="mt-6 flex items-end justify-between gap-4">
        <h2 className="text-lg font-semibold">Activity</h2>
        <SelectInput
          label="Period"
          name="range"
          className="w-56"
          value={rangeKey}
          onChange={(value) => {
            url.set({ range: value === "30d" ? undefined : value });
          }}
          options={Object.entries(RANGES).map(([value, r]) => ({ value, label: r.label }))}
        />
      </div>
      <div className="mt-3 grid gap-4 lg:grid-cols-2">
        <Section title="Validations">
          <Loaded query={activity}>
            <TimeChart
              label="Validations over time"
              kind="bar"
              stacked
              data={points}
              series={[
                { key: "valid", label: "Valid", color: CHART_COLORS.success },
                { key: "refused", label: "Refused", color: CHART_COLORS.danger },
              ]}
            />
          </Loaded>
        </Section>
        <Section title="Active sessions">
          <Loaded query={activity}>
            <TimeChart
              label="Active sessions over time"
              kind="line"
              data={points}
              series={[{ key: "sessions", label: "Active sessions", color: CHART_COLORS.accent }]}
            />
          </Loaded>
        </Section>
      </div>

      {/* side by side only where the audit table fits its half without scrolling */}
      <div className="mt-6 grid gap-4 2xl:grid-cols-2">
        <Section
          title="Expiring within 30 days"
          actions={<TextLink href="/licenses?expiring=30&sort=expiresAt&direction=asc">All</TextLink>}
        >
          <LicenseTable
            rows={summary.data?.expiringSoon}
            isLoading={summary.isPending}
            columns={[
              ...licenseColumns.filter((c) => ["key", "customer", "product"].includes(c.id)),
              {
                id: "expires",
                label: "Expires",
                render: (l) => <span title={formatDateTime(l.expiresAt)}>{relativeDays(l.expiresAt)}</span>,
              },
            ]}
            empty={<EmptyState title="Nothing expires in the next 30 days" />}
          />
        </Section>
        {/* known from the admin's role before the summary arrives (the server sends none without it) */}
        {can("audit.read") ? (
          <Section title="Recent audit events" actions={<TextLink href="/audit">Audit log</TextLink>}>
            <AuditList
              events={summary.data ? (summary.data.recentAudit ?? []) : undefined}
              isLoading={summary.isPending}
              compact
            />
          </Section>
        ) : null}
      </div>
    </>
  );
}
