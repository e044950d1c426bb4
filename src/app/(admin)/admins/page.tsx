"use client";
import { Button } from "@heroui/react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ResetPasswordDialog } from "@/components/admins/reset-password-dialog.tsx";
import { GroupPicker } from "@/components/groups/group-picker.tsx";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { RoleChip, WithStatus } from "@/components/ui/chips.tsx";
import { FormDialog, OpenButton, useDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { Filters, ListTable, UrlSelect, UrlText, useUrlPage } from "@/components/ui/list-page.tsx";
import { NewPasswordInput } from "@/components/ui/new-password-input.tsx";
import { PageHeader } from "@/components/ui/page.tsx";
import { codeOptions, SelectInput } from "@/components/ui/select-input.tsx";
import { EmptyState } from "@/components/ui/states.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZCreateAdminInput, ZUpdateAdminInput } from "@/server/core/admins/schemas.ts";
import { ROLES, type Role } from "@/server/core/context.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const DEFAULT_ROLE: Role = "viewer";

type Admin = RouterOutputs["admins"]["list"]["items"][number];
const ROLE_OPTIONS = codeOptions(ROLES);
const PAGE_SIZE = 25;

function AdminDialog({
  admin,
  isOpen,
  onOpenChange,
}: {
  admin?: Admin;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const initial = {
    email: admin?.email ?? "",
    name: admin?.name ?? "",
    role: admin?.role ?? DEFAULT_ROLE,
    groupIds: admin?.groups.map((g) => g.id) ?? [],
    authSource: admin?.authSource ?? "local",
    password: "",
    disabled: admin?.disabled ?? false,
  };
  const form = useForm(initial);
  useOnOpen(isOpen, () => {
    form.reset(initial);
  });
  const onSuccess = () => {
    invalidateQueries(trpc.admins, trpc.groups);
    onOpenChange(false);
  };
  const create = useMutation(trpc.admins.create.mutationOptions({ onSuccess, onError: form.serverErrors }));
  const update = useMutation(trpc.admins.update.mutationOptions({ onSuccess, onError: form.serverErrors }));
  const { values, errors } = form;
  return (
    <FormDialog
      title={admin ? `Edit ${admin.email}` : "New admin"}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      submitLabel={admin ? "Save" : "Create admin"}
      isPending={create.isPending || update.isPending}
      size="lg"
      onSubmit={
        admin
          ? form.handleSubmit(ZUpdateAdminInput, update.mutate, (v) => ({
              id: admin.id,
              name: v.name,
              role: v.role,
              groupIds: v.groupIds,
              disabled: v.disabled,
            }))
          : form.handleSubmit(ZCreateAdminInput, create.mutate, (v) => ({
              email: v.email,
              name: v.name,
              role: v.role,
              groupIds: v.groupIds,
              authSource: v.authSource,
              ...(v.authSource === "local" ? { password: v.password } : {}),
            }))
      }
    >
      {admin ? null : <TextInput label="Email" type="email" {...form.field("email")} isRequired autoFocus />}
      <TextInput label="Name" {...form.field("name")} />
      <SelectInput
        label="Role"
        {...form.field("role")}
        options={ROLE_OPTIONS}
        description="viewer reads; editor issues and edits; admin also suspends, revokes, deletes and reads the audit log; super admin does everything."
      />
      <GroupPicker
        legend="Groups"
        value={values.groupIds}
        onChange={(ids) => {
          form.set("groupIds", ids);
        }}
        error={errors.groupIds}
        description="A super admin sees every group."
      />
      {admin ? (
        <CheckboxInput
          label="Disabled"
          {...form.checkbox("disabled")}
          description="A disabled admin cannot sign in, and their API keys stop working."
        />
      ) : (
        <>
          <SelectInput
            label="Signs in with"
            {...form.field("authSource")}
            options={[
              { value: "local", label: "A password set here" },
              { value: "ldap", label: "The directory (LDAP)" },
            ]}
          />
          {values.authSource === "local" ? (
            <NewPasswordInput
              label="Password"
              {...form.field("password")}
              userInputs={[values.email, values.name]}
            />
          ) : null}
        </>
      )}
    </FormDialog>
  );
}

export default function AdminsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const me = useMe();
  const url = useUrlState();
  const q = url.get("q");
  const roleParam = url.get("role");
  const role = ROLES.find((r) => r === roleParam);
  const paging = useUrlPage(url, PAGE_SIZE);
  const creating = useDialog();
  const [editing, setEditing] = useState<Admin | undefined>();
  const [resetting, setResetting] = useState<Admin | undefined>();

  const list = useQuery({
    ...trpc.admins.list.queryOptions({ q: q || undefined, role, page: paging.page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    enabled: can("admin.manage"),
  });

  if (me.data && !can("admin.manage")) {
    return <EmptyState title="Super admins only" description="Your role may not manage admin accounts." />;
  }
  return (
    <>
      <PageHeader
        title="Admins"
        description="Who may sign in to this console, with which role, in which groups."
        actions={<OpenButton label="New admin" onOpen={creating.open} />}
      />
      <Filters>
        <UrlText url={url} label="Search" name="q" type="search" className="w-64" />
        <UrlSelect
          url={url}
          label="Role"
          name="role"
          className="w-44"
          value={role ?? ""}
          placeholder="Any role"
          options={ROLE_OPTIONS}
        />
      </Filters>
      <ListTable<Admin>
        query={list}
        paging={paging}
        label="Admins"
        empty={<EmptyState title="No admin matches" />}
        columns={[
          {
            id: "email",
            label: "Email",
            isRowHeader: true,
            render: (a) => <WithStatus status={a.disabled && "disabled"}>{a.email}</WithStatus>,
          },
          { id: "name", label: "Name", render: (a) => a.name },
          { id: "role", label: "Role", render: (a) => <RoleChip role={a.role} /> },
          { id: "groups", label: "Groups", render: (a) => a.groups.map((g) => g.name).join(", ") || "—" },
          {
            id: "source",
            label: "Sign-in",
            render: (a) => `${a.authSource}${a.totpEnabled ? " + 2FA" : ""}`,
          },
          { id: "last", label: "Last sign-in", render: (a) => formatDateTime(a.lastLoginAt, "never") },
          {
            id: "edit",
            label: "",
            render: (a) => (
              <Button
                size="sm"
                variant="secondary"
                onPress={() => {
                  setEditing(a);
                }}
              >
                Edit
              </Button>
            ),
          },
          {
            id: "password",
            label: "",
            // directory accounts have their password in the directory
            render: (a) =>
              a.authSource === "local" ? (
                <Button
                  size="sm"
                  variant="secondary"
                  aria-label={`Reset the password of ${a.email}`}
                  onPress={() => {
                    setResetting(a);
                  }}
                >
                  Reset password
                </Button>
              ) : null,
          },
        ]}
      />
      <AdminDialog {...creating} />
      <ResetPasswordDialog
        admin={resetting}
        onClose={() => {
          setResetting(undefined);
        }}
      />
      <AdminDialog
        admin={editing}
        isOpen={editing !== undefined}
        onOpenChange={(open) => {
          if (!open) setEditing(undefined);
        }}
      />
    </>
  );
}
