"use client";
import { Button } from "@heroui/react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useGroupOptions } from "@/components/customer-form.tsx";
import { FormDialog } from "@/components/form-dialog.tsx";
import { CheckboxInput, SelectInput, TextInput, useForm } from "@/components/form.tsx";
import { GroupPicker } from "@/components/group-picker.tsx";
import {
  DataTable,
  EmptyState,
  ErrorState,
  formatDateTime,
  Pager,
  PageHeader,
  RoleChip,
  StatusChip,
} from "@/components/ui.tsx";
import { ZCreateAdminInput, ZUpdateAdminInput } from "@/server/core/admins/schemas.ts";
import { ROLES, type Role } from "@/server/core/context.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useCan, useMe } from "@/hooks/use-me.ts";
import { useUrlState } from "@/hooks/use-url-state.ts";

const DEFAULT_ROLE: Role = "viewer";

type Admin = RouterOutputs["admins"]["list"]["items"][number];
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r.replace("_", " ") }));
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
  const queryClient = useQueryClient();
  const groupOptions = useGroupOptions();
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
  const [wasOpen, setWasOpen] = useState(isOpen);
  if (wasOpen !== isOpen) {
    setWasOpen(isOpen);
    if (isOpen) form.reset(initial);
  }
  const onSuccess = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admins.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.groups.pathKey() });
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
      onSubmit={() => {
        if (admin) {
          const input = form.validate(ZUpdateAdminInput, {
            id: admin.id,
            name: values.name,
            role: values.role,
            groupIds: values.groupIds,
            disabled: values.disabled,
          });
          if (input) update.mutate(input);
        } else {
          const input = form.validate(ZCreateAdminInput, {
            email: values.email,
            name: values.name,
            role: values.role,
            groupIds: values.groupIds,
            authSource: values.authSource,
            ...(values.authSource === "local" ? { password: values.password } : {}),
          });
          if (input) create.mutate(input);
        }
      }}
    >
      {admin ? null : (
        <TextInput
          label="Email"
          name="email"
          type="email"
          value={values.email}
          onChange={(v) => {
            form.set("email", v);
          }}
          error={errors.email}
          isRequired
          autoFocus
        />
      )}
      <TextInput
        label="Name"
        name="name"
        value={values.name}
        onChange={(v) => {
          form.set("name", v);
        }}
        error={errors.name}
      />
      <SelectInput
        label="Role"
        name="role"
        value={values.role}
        options={ROLE_OPTIONS}
        onChange={(v) => {
          form.set("role", v as Role);
        }}
        error={errors.role}
        description="viewer reads; editor issues and edits; admin also suspends, revokes, deletes and reads the audit log; super admin does everything."
      />
      <GroupPicker
        legend="Groups"
        options={groupOptions}
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
          name="disabled"
          checked={values.disabled}
          onChange={(v) => {
            form.set("disabled", v);
          }}
          description="A disabled admin cannot sign in, and their API keys stop working."
        />
      ) : (
        <>
          <SelectInput
            label="Signs in with"
            name="authSource"
            value={values.authSource}
            options={[
              { value: "local", label: "A password set here" },
              { value: "ldap", label: "The directory (LDAP)" },
            ]}
            onChange={(v) => {
              form.set("authSource", v as "local" | "ldap");
            }}
          />
          {values.authSource === "local" ? (
            <TextInput
              label="Password"
              name="password"
              type="password"
              autoComplete="new-password"
              value={values.password}
              onChange={(v) => {
                form.set("password", v);
              }}
              error={errors.password}
              description="At least 12 characters."
              isRequired
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
  const [search, setSearch] = useState(q);
  const roleParam = url.get("role");
  const role = ROLES.find((r) => r === roleParam);
  const page = url.getInt("page", 1);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Admin | undefined>();

  useEffect(() => {
    if (search === q) return;
    const timer = setTimeout(() => {
      url.set({ q: search.trim() || undefined });
    }, 300);
    return () => {
      clearTimeout(timer);
    };
  }, [search, q, url]);

  const list = useQuery({
    ...trpc.admins.list.queryOptions({ q: q || undefined, role, page, pageSize: PAGE_SIZE }),
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
        actions={
          <Button
            onPress={() => {
              setCreating(true);
            }}
          >
            New admin
          </Button>
        }
      />
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <TextInput
          label="Search"
          name="q"
          type="search"
          value={search}
          onChange={setSearch}
          className="w-64"
        />
        <SelectInput
          label="Role"
          name="role"
          className="w-44"
          value={role ?? ""}
          placeholder="Any role"
          options={ROLE_OPTIONS}
          onChange={(value) => {
            url.set({ role: value || undefined });
          }}
        />
      </div>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <DataTable<Admin>
            label="Admins"
            rows={list.data?.items}
            isLoading={list.isPending}
            empty={<EmptyState title="No admin matches" />}
            columns={[
              {
                id: "email",
                label: "Email",
                isRowHeader: true,
                render: (a) => (
                  <span className="flex items-center gap-2">
                    {a.email}
                    {a.disabled ? <StatusChip status="disabled" /> : null}
                  </span>
                ),
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
            ]}
          />
          {list.data ? (
            <Pager
              page={page}
              pageSize={PAGE_SIZE}
              total={list.data.total}
              onPage={(next) => {
                url.set({ page: next });
              }}
            />
          ) : null}
        </>
      )}
      <AdminDialog isOpen={creating} onOpenChange={setCreating} />
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
