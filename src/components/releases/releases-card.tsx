"use client";
// A product's releases on its page: the versions newest first, publishing one (version, date,
// notes) and deleting one. Licenses that keep released versions working after expiry read them.
import { useMutation, useQuery } from "@tanstack/react-query";
import { confirmColumn } from "@/components/ui/confirm-button.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { dateToIso } from "@/components/ui/form-values.ts";
import { formatDate } from "@/components/ui/format.ts";
import { ListTable } from "@/components/ui/list-page.tsx";
import { Section } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZPublishReleaseInput } from "@/server/core/releases/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

type Release = RouterOutputs["releases"]["list"][number];

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function PublishReleaseDialog({
  productId,
  isOpen,
  onOpenChange,
}: {
  productId: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const form = useForm({ version: "", releasedAt: today(), notes: "" });
  const publish = useMutation(
    trpc.releases.publish.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.releases);
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  return (
    <FormDialog
      title="Publish a release"
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel="Publish release"
      isPending={publish.isPending}
      onSubmit={form.handleSubmit(ZPublishReleaseInput, publish.mutate, (v) => ({
        productId,
        version: v.version.trim(),
        ...(v.releasedAt ? { releasedAt: dateToIso(v.releasedAt) ?? undefined } : {}),
        notes: v.notes,
      }))}
    >
      <TextInput
        label="Version"
        {...form.field("version")}
        description="Semantic version, e.g. 2.4.0; what the software sends as its client version."
        isRequired
        autoFocus
      />
      <TextInput
        label="Released on"
        type="date"
        {...form.field("releasedAt")}
        description="Licenses that keep released versions working compare it with their expiry."
      />
      <TextInput label="Notes" multiline {...form.field("notes")} />
    </FormDialog>
  );
}

export function ReleasesCard({ productId, className }: { productId: string; className?: string }) {
  const trpc = useTRPC();
  const can = useCan();
  const invalidateQueries = useInvalidate();
  const publishing = useDialog();
  const releases = useQuery(trpc.releases.list.queryOptions({ productId }));
  const remove = useMutation(
    trpc.releases.delete.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.releases);
      },
    }),
  );
  const write = can("release.write");
  return (
    <Section
      title="Releases"
      className={className}
      actions={write ? <OpenButton label="Publish release" size="sm" onOpen={publishing.open} /> : null}
    >
      <ListTable<Release>
        query={releases}
        label="Releases"
        empty={
          <EmptyState
            title="No releases"
            description="Publish the versions you ship: licenses that keep released versions working after expiry need them."
          />
        }
        columns={[
          { id: "version", label: "Version", isRowHeader: true, render: (r) => <code>{r.version}</code> },
          { id: "released", label: "Released", render: (r) => formatDate(r.releasedAt) },
          { id: "notes", label: "Notes", render: (r) => r.notes || "—" },
          confirmColumn(
            "actions",
            (r) =>
              write && {
                danger: true,
                label: "Delete",
                title: `Delete release ${r.version}?`,
                body: "Licenses that keep released versions working no longer count it.",
                confirmLabel: "Delete release",
                onConfirm: () => remove.mutateAsync({ id: r.id }),
              },
          ),
        ]}
      />
      <PublishReleaseDialog productId={productId} {...publishing} />
    </Section>
  );
}
