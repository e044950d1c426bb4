"use client";
import { Alert, Button } from "@heroui/react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { AuditList } from "@/components/audit/audit-list.tsx";
import { Filters, ListResults, UrlDate, UrlSelect, UrlText, useUrlPage } from "@/components/ui/list-page.tsx";
import { ExportCsvLink } from "@/components/ui/export-link.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { codeOptions } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const PAGE_SIZE = 50;
const ACTOR_TYPES = ["admin", "api_key", "system", "client"] as const;

/** yyyy-mm-dd as the start (or the end) of that UTC day. */
function dayBound(text: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  return new Date(`${text}T${end ? "23:59:59.999" : "00:00:00.000"}Z`).toISOString();
}

export default function AuditPage() {
  const trpc = useTRPC();
  const can = useCan();
  const me = useMe();
  const url = useUrlState();
  const actorTypeParam = url.get("actorType");
  const actorType = ACTOR_TYPES.find((t) => t === actorTypeParam);
  const targetType = url.get("targetType");
  const from = url.get("from");
  const to = url.get("to");
  const paging = useUrlPage(url, PAGE_SIZE);
  const allowed = can("audit.read");

  const list = useQuery({
    ...trpc.audit.list.queryOptions({
      action: url.get("action") || undefined,
      actorType,
      actorId: url.get("actorId") || undefined,
      targetType: targetType || undefined,
      targetId: url.get("targetId") || undefined,
      from: dayBound(from, false),
      to: dayBound(to, true),
      page: paging.page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
    enabled: allowed,
  });
  const verify = useMutation(trpc.audit.verify.mutationOptions());

  if (me.data && !allowed) {
    return <EmptyState title="Admins only" description="Your role may not read the audit log." />;
  }
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change, who made it and from where; each event is chained to the one before by its hash."
        actions={
          <>
            <ExportCsvLink
              path="/api/v1/audit-events/export.csv"
              params={{
                action: url.get("action") || undefined,
                actorType,
                actorId: url.get("actorId") || undefined,
                targetType: targetType || undefined,
                targetId: url.get("targetId") || undefined,
                from: dayBound(from, false),
                to: dayBound(to, true),
              }}
            />
            {can("audit.verify") ? (
              <Button
                variant="secondary"
                isPending={verify.isPending}
                onPress={() => {
                  verify.mutate({});
                }}
              >
                Verify the chain
              </Button>
            ) : null}
          </>
        }
      />
      {verify.data ? (
        <div className="mb-4">
          <Alert status={verify.data.ok ? "success" : "danger"}>
            <Alert.Content>
              <Alert.Title>{verify.data.ok ? "The chain is intact" : "The chain is broken"}</Alert.Title>
              <Alert.Description>
                {verify.data.ok
                  ? `${verify.data.checked} events checked${verify.data.lastSeq ? `, up to #${verify.data.lastSeq}` : ""}.`
                  : `At event #${verify.data.brokenAt ?? "?"}: ${verify.data.reason ?? "mismatch"} (${verify.data.checked} checked).`}
              </Alert.Description>
            </Alert.Content>
          </Alert>
        </div>
      ) : null}
      <Filters className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <UrlText
          url={url}
          label="Action"
          name="action"
          delayMs={400}
          placeholder="e.g. license. or license.revoke"
        />
        <UrlSelect
          url={url}
          label="Actor type"
          name="actorType"
          value={actorType ?? ""}
          placeholder="Anyone"
          options={codeOptions(ACTOR_TYPES)}
        />
        <UrlText url={url} label="Actor id" name="actorId" delayMs={400} />
        <UrlSelect
          url={url}
          label="Target type"
          name="targetType"
          value={targetType}
          placeholder="Any"
          options={codeOptions([
            "license",
            "customer",
            "product",
            "feature",
            "group",
            "admin",
            "api_key",
            "signing_key",
            "session",
            "machine",
            "settings",
          ])}
        />
        <UrlText url={url} label="Target id" name="targetId" delayMs={400} />
        <UrlDate url={url} label="From" name="from" />
        <UrlDate url={url} label="To" name="to" />
      </Filters>
      <ListResults query={list} paging={paging}>
        <AuditList events={list.data?.items ?? []} />
      </ListResults>
    </>
  );
}
