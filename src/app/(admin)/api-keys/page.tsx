"use client";
import { Alert, Button } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { GroupPicker } from "@/components/groups/group-picker.tsx";
import { RoleChip, WithStatus } from "@/components/ui/chips.tsx";
import { confirmColumn } from "@/components/ui/confirm-button.tsx";
import { SecretValue } from "@/components/ui/copy.tsx";
import { Dialog, FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { dateToIso } from "@/components/ui/form-values.ts";
import { formatDate, formatDateTime } from "@/components/ui/format.ts";
import { Filters, ListTable, UrlFlag } from "@/components/ui/list-page.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { codeOptions, SelectInput } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateApiKeyInput } from "@/server/core/api-keys/schemas.ts";
import { ROLES, type Role } from "@/server/core/context.ts";
import { roleAtLeast } from "@/server/core/access/policy.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useMe } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const DEFAULT_ROLE: Role = "viewer";

type ApiKey = RouterOutputs["apiKeys"]["list"]["items"][number];

function ShownOnce({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <Dialog
      title="Your new API key"
      isOpen={secret !== null}
      isDismissable={false}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      size="lg"
      footer={<Button onPress={onClose}>Done</Button>}
    >
      <Alert status="warning">
        <Alert.Content>
          <Alert.Description>
            Copy it now: it is shown this once and stored only as a hash. Send it as{" "}
            <code>Authorization: Bearer &lt;key&gt;</code>.
          </Alert.Description>
        </Alert.Content>
      </Alert>
      {secret ? <SecretValue value={secret} label="API key" what="API key" /> : null}
    </Dialog>
  );
}

export default function ApiKeysPage() {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const me = useMe();
  const url = useUrlState();
  const includeRevoked = url.get("revoked") === "1";
  const all = url.get("all") === "1";
  const [secret, setSecret] = useState<string | null>(null);
  const list = useQuery(trpc.apiKeys.list.queryOptions({ includeRevoked, all, pageSize: 200 }));
  const myRole: Role = me.data?.role ?? "viewer";
  const roleOptions = codeOptions(ROLES.filter((r) => roleAtLeast(myRole, r)));
  const form = useForm({ name: "", role: DEFAULT_ROLE, groupIds: [] as string[], expiresAt: "" });
  const creating = useDialog(form.reset);
  const invalidate = () => {
    invalidateQueries(trpc.apiKeys);
  };
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (created) => {
        invalidate();
        creating.onOpenChange(false);
        setSecret(created.key);
      },
      onError: form.serverErrors,
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: invalidate }));
  const { values, errors } = form;

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for tools and CI to call the admin API. A key's role is at most yours."
        actions={<OpenButton label="New API key" onOpen={creating.open} />}
      />
      <Filters className="flex flex-wrap gap-6">
        <UrlFlag url={url} label="Show revoked" name="revoked" />
        {myRole === "super_admin" ? <UrlFlag url={url} label="Everyone's keys" name="all" /> : null}
      </Filters>
      <ListTable<ApiKey>
        query={list}
        label="API keys"
        empty={<EmptyState title="No API keys" description="Create one for a script or a CI job." />}
        columns={[
          {
            id: "name",
            label: "Name",
            isRowHeader: true,
            render: (k) => (
              <WithStatus status={k.revokedAt ? "revoked" : k.blockedReason && "blocked"}>
                {k.name}
              </WithStatus>
            ),
          },
          {
            id: "state",
            label: "State",
            render: (k) =>
              k.revokedAt ? (
                "revoked"
              ) : k.blockedReason ? (
                <span className="text-danger text-xs" data-testid="api-key-blocked-reason">
                  Blocked: {k.blockedReason}
                </span>
              ) : (
                "works"
              ),
          },
          { id: "prefix", label: "Key", render: (k) => <code className="text-xs">{k.prefix}…</code> },
          { id: "role", label: "Role", render: (k) => <RoleChip role={k.role} /> },
          {
            id: "groups",
            label: "Groups",
            render: (k) => k.groups.map((g) => g.name).join(", ") || "creator's",
          },
          ...(all ? [{ id: "owner", label: "Owner", render: (k: ApiKey) => k.createdByEmail }] : []),
          { id: "expires", label: "Expires", render: (k) => formatDate(k.expiresAt, "never") },
          { id: "used", label: "Last used", render: (k) => formatDateTime(k.lastUsedAt, "never") },
          confirmColumn(
            "actions",
            (k) =>
              !k.revokedAt && {
                danger: true,
                label: "Revoke",
                title: `Revoke ${k.name}?`,
                body: "Tools using it are refused from now on. This cannot be undone.",
                confirmLabel: "Revoke key",
                onConfirm: () => revoke.mutateAsync({ id: k.id }),
              },
          ),
        ]}
      />
      <FormDialog
        title="New API key"
        {...creating}
        submitLabel="Create key"
        isPending={create.isPending}
        onSubmit={form.handleSubmit(ZCreateApiKeyInput, create.mutate, (v) => ({
          ...v,
          expiresAt: dateToIso(v.expiresAt),
        }))}
      >
        <TextInput
          label="Name"
          {...form.field("name")}
          description="What uses it, e.g. billing sync."
          isRequired
          autoFocus
        />
        <SelectInput label="Role" {...form.field("role")} options={roleOptions} />
        {myRole === "super_admin" ? null : (
          <GroupPicker
            legend="Limit to groups"
            value={values.groupIds}
            onChange={(ids) => {
              form.set("groupIds", ids);
            }}
            error={errors.groupIds}
            description="None chosen: the key acts in all of your groups."
          />
        )}
        <TextInput
          label="Expires on"
          type="date"
          {...form.field("expiresAt")}
          description="Empty: no expiry."
        />
      </FormDialog>
      <ShownOnce
        secret={secret}
        onClose={() => {
          setSecret(null);
        }}
      />
    </>
  );
}
