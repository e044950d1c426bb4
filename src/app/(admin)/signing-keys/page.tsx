"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { StatusChip } from "@/components/ui/chips.tsx";
import { ConfirmButton } from "@/components/ui/confirm-button.tsx";
import { CopyButton } from "@/components/ui/copy.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { ListTable, UrlFlag } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

type SigningKey = RouterOutputs["signingKeys"]["list"][number];

export default function SigningKeysPage() {
  const trpc = useTRPC();
  const can = useCan();
  const me = useMe();
  const url = useUrlState();
  const invalidateQueries = useInvalidate();
  const includeRetired = url.get("retired") === "1";
  const allowed = can("signing_key.read");
  const list = useQuery({ ...trpc.signingKeys.list.queryOptions({ includeRetired }), enabled: allowed });
  const invalidate = () => {
    invalidateQueries(trpc.signingKeys);
  };
  const rotate = useMutation(trpc.signingKeys.rotate.mutationOptions({ onSuccess: invalidate }));
  const retire = useMutation(trpc.signingKeys.retire.mutationOptions({ onSuccess: invalidate }));
  const manage = can("signing_key.manage");

  if (me.data && !allowed) {
    return <EmptyState title="Admins only" description="Your role may not see the signing keys." />;
  }
  return (
    <>
      <PageHeader
        title="Signing keys"
        description="Ed25519 keys that sign offline license files and grace tokens. The active key signs; published keys still verify."
        actions={
          manage ? (
            <ConfirmButton
              size="md"
              variant="primary"
              label="Rotate"
              title="Rotate the signing key?"
              body="A new key signs from now on. The current one stays published, so files and tokens it signed keep verifying until you retire it."
              confirmLabel="Rotate"
              onConfirm={() => rotate.mutateAsync({})}
            />
          ) : null
        }
      />
      <div className="mb-4">
        <UrlFlag url={url} label="Show retired keys" name="retired" />
      </div>
      <ListTable<SigningKey>
        query={list}
        label="Signing keys"
        empty={<EmptyState title="No signing keys" />}
        columns={[
          {
            id: "kid",
            label: "Key id",
            isRowHeader: true,
            render: (k) => <code className="text-xs">{k.kid}</code>,
          },
          { id: "status", label: "Status", render: (k) => <StatusChip status={k.status} /> },
          { id: "alg", label: "Algorithm", render: (k) => k.algorithm },
          { id: "created", label: "Created", render: (k) => formatDateTime(k.createdAt) },
          { id: "active", label: "Activated", render: (k) => formatDateTime(k.activatedAt) },
          { id: "retired", label: "Retired", render: (k) => formatDateTime(k.retiredAt) },
          {
            id: "actions",
            label: "",
            render: (k) => (
              <span className="flex gap-2">
                <CopyButton text={k.publicKeyPem} label="Copy public key" what="Public key" />
                {manage && k.status === "published" ? (
                  <ConfirmButton
                    danger
                    label="Retire"
                    title={`Retire key ${k.kid}?`}
                    body="It leaves the published keyring: files and tokens it signed stop verifying."
                    confirmLabel="Retire key"
                    onConfirm={() => retire.mutateAsync({ kid: k.kid })}
                  />
                ) : null}
              </span>
            ),
          },
        ]}
      />
    </>
  );
}
