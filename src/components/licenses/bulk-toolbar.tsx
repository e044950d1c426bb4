"use client";
// The licenses list's bulk actions over the selected rows: suspend, reinstate, renew, export.
// Each change is confirmed, sent as one licenses.bulkChange call (up to MAX_BULK_LICENSES), and
// its answer summarised: how many were changed, and each refused license with the reason.
import { Button, toast } from "@heroui/react";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import {
  MAX_BULK_LICENSES,
  ZBulkChangeLicensesInput,
  type BulkChangeResult,
} from "@/server/core/licenses/bulk-change-schemas.ts";
import { ConfirmButton } from "@/components/ui/confirm-button.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { downloadExport } from "@/components/ui/export-link.tsx";
import { numberOrUndefined } from "@/components/ui/form-values.ts";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";

const VERBS = { suspend: "Suspended", reinstate: "Reinstated", renew: "Renewed" } as const;

export function BulkToolbar({
  selected,
  keyOf,
  onClear,
}: {
  selected: ReadonlySet<string>;
  /** a selected license's key, for the summary (null when not on the loaded pages) */
  keyOf: (id: string) => string | null;
  onClear: () => void;
}) {
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const [result, setResult] = useState<BulkChangeResult | null>(null);
  const ids = [...selected];
  const change = useMutation(
    trpc.licenses.bulkChange.mutationOptions({
      onSuccess: (answer) => {
        invalidateQueries(trpc.licenses, trpc.dashboard);
        setResult(answer);
        onClear();
        toast.success(
          `${VERBS[answer.action]} ${plural(answer.applied.length)}` +
            (answer.refused.length ? `; ${answer.refused.length} refused` : ""),
        );
      },
    }),
  );
  const renewForm = useForm({ extendDays: "365" });
  const renewDialog = useDialog(renewForm.reset);
  const renewSubmit = renewForm.handleSubmit(
    ZBulkChangeLicensesInput,
    (input) => {
      change.mutate(input, {
        onSuccess: () => {
          renewDialog.onOpenChange(false);
        },
        onError: renewForm.serverErrors,
      });
    },
    (v) => ({ action: "renew" as const, ids, extendDays: numberOrUndefined(v.extendDays) }),
  );
  const tooMany = ids.length > MAX_BULK_LICENSES;

  return (
    <div className="mb-4 flex flex-col gap-3">
      {ids.length > 0 ? (
        <div
          role="toolbar"
          aria-label="Bulk actions"
          className="flex flex-wrap items-center gap-2 rounded-xl border border-border bg-surface px-4 py-2"
        >
          <span className="mr-2 text-sm font-medium" aria-live="polite">
            {plural(ids.length)} selected
            {tooMany ? ` (at most ${MAX_BULK_LICENSES} at once)` : ""}
          </span>
          {can("license.status") ? (
            <>
              <ConfirmButton
                label="Suspend"
                title={`Suspend ${plural(ids.length)}?`}
                body="They stop validating until reinstated; their open sessions end. Licenses that are not active are skipped."
                confirmLabel="Suspend"
                danger
                reasonLabel="Reason (optional, kept on each license)"
                isDisabled={tooMany}
                onConfirm={(reason) =>
                  change.mutateAsync({ action: "suspend", ids, reason: reason || undefined })
                }
              />
              <ConfirmButton
                label="Reinstate"
                title={`Reinstate ${plural(ids.length)}?`}
                body="Suspended licenses validate again. Licenses that are not suspended are skipped."
                confirmLabel="Reinstate"
                isDisabled={tooMany}
                onConfirm={() => change.mutateAsync({ action: "reinstate", ids })}
              />
            </>
          ) : null}
          {can("license.write") ? (
            <OpenButton
              label="Renew…"
              size="sm"
              variant="secondary"
              onOpen={renewDialog.open}
              isDisabled={tooMany}
            />
          ) : null}
          <Button
            size="sm"
            variant="secondary"
            isDisabled={tooMany}
            onPress={() => {
              downloadExport("/api/v1/licenses/export.csv", { ids }).then(
                (name) => toast.success(`Downloaded ${name}`),
                (error: unknown) => toast.danger(error instanceof Error ? error.message : "export failed"),
              );
            }}
          >
            Export selected
          </Button>
          <Button size="sm" variant="ghost" onPress={onClear}>
            Clear
          </Button>
        </div>
      ) : null}
      {result ? (
        <BulkResult
          result={result}
          keyOf={keyOf}
          onDismiss={() => {
            setResult(null);
          }}
        />
      ) : null}
      <FormDialog
        title={`Renew ${plural(ids.length)}`}
        {...renewDialog}
        submitLabel="Renew"
        isPending={change.isPending}
        onSubmit={renewSubmit}
      >
        <p className="text-sm text-muted">
          Each license is extended from its own expiry (from today if it has passed). Perpetual licenses are
          skipped.
        </p>
        <TextInput label="Days" type="number" {...renewForm.field("extendDays")} />
      </FormDialog>
    </div>
  );
}

function BulkResult({
  result,
  keyOf,
  onDismiss,
}: {
  result: BulkChangeResult;
  keyOf: (id: string) => string | null;
  onDismiss: () => void;
}) {
  return (
    <div
      role="status"
      aria-label="Bulk result"
      className="rounded-xl border border-border bg-surface px-4 py-3 text-sm"
    >
      <div className="flex items-start justify-between gap-4">
        <p className="font-medium">
          {VERBS[result.action]} {plural(result.applied.length)}
          {result.refused.length ? `; ${result.refused.length} refused:` : "."}
        </p>
        <Button size="sm" variant="ghost" onPress={onDismiss}>
          Dismiss
        </Button>
      </div>
      {result.refused.length ? (
        <ul className="mt-2 list-disc pl-5">
          {result.refused.map((r) => (
            <li key={r.id}>
              <span className="font-mono">{r.key ?? keyOf(r.id) ?? r.id}</span>: {r.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const plural = (n: number) => `${n} license${n === 1 ? "" : "s"}`;
