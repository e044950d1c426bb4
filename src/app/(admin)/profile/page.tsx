"use client";
import { Alert, Button, toast } from "@heroui/react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { RoleChip } from "@/components/ui/chips.tsx";
import { ConfirmButton, confirmColumn } from "@/components/ui/confirm-button.tsx";
import { CopyButton } from "@/components/ui/copy.tsx";
import { DataTable, type Column } from "@/components/ui/data-table.tsx";
import { clearingError, MutationError } from "@/components/ui/error-alert.tsx";
import { RecordGrid } from "@/components/ui/details.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { NewPasswordInput } from "@/components/ui/new-password-input.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { LoadingState } from "@/components/ui/states.tsx";
import { CodeInput, PasswordInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { ActionForm } from "@/components/ui/validated-form.tsx";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZChangeOwnPasswordInput } from "@/server/core/admins/schemas.ts";
import { ZConfirmTotpInput, ZDisableTotpInput } from "@/server/core/two-factor/schemas.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useMe } from "@/hooks/use-me.ts";

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="flex flex-col gap-3">
      <Alert status="warning">
        <Alert.Content>
          <Alert.Title>Save these recovery codes now</Alert.Title>
          <Alert.Description>
            Each one signs you in once without your authenticator. They are not shown again.
          </Alert.Description>
        </Alert.Content>
      </Alert>
      <ul className="grid grid-cols-2 gap-2 font-mono text-sm" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code} className="rounded-md bg-surface-secondary px-2 py-1">
            {code}
          </li>
        ))}
      </ul>
      <div>
        <CopyButton text={codes.join("\n")} label="Copy all" what="Recovery codes" />
      </div>
    </div>
  );
}

function PasswordForm() {
  const trpc = useTRPC();
  const form = useForm({ currentPassword: "", newPassword: "", confirm: "" });
  const change = useMutation(
    trpc.profile.changePassword.mutationOptions({
      onSuccess: () => {
        toast.success("Password changed: sign in again with the new one");
        // a password change ends every earlier session, this one included
        setTimeout(() => void signOut({ callbackUrl: "/sign-in" }), 1200);
      },
      onError: form.serverErrors,
    }),
  );
  const { values } = form;
  const me = useMe();
  const ownAccountWords = [me.data?.email, me.data?.name];
  return (
    <ActionForm
      className="flex flex-col gap-4"
      submitLabel="Change password"
      isPending={change.isPending}
      onSubmit={() => {
        const input = form.validate(ZChangeOwnPasswordInput, {
          currentPassword: values.currentPassword,
          newPassword: values.newPassword,
        });
        if (!input) return;
        if (values.confirm !== values.newPassword) {
          form.setErrors({ confirm: "does not match the new password" });
          return;
        }
        change.mutate(input);
      }}
    >
      <PasswordInput
        label="Current password"
        autoComplete="current-password"
        {...form.field("currentPassword")}
      />
      <NewPasswordInput label="New password" {...form.field("newPassword")} userInputs={ownAccountWords} />
      <PasswordInput label="Repeat the new password" autoComplete="new-password" {...form.field("confirm")} />
    </ActionForm>
  );
}

function TwoFactor({ enabled }: { enabled: boolean }) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const [codes, setCodes] = useState<string[] | null>(null);
  const confirmForm = useForm({ code: "" });
  const regenerateForm = useForm({ code: "" });
  const disableForm = useForm({ password: "", code: "" });
  const refreshMe = () => {
    invalidateQueries(trpc.profile);
  };
  const enroll = useMutation(trpc.profile.enrollTotp.mutationOptions());
  const confirm = useMutation(
    trpc.profile.confirmTotp.mutationOptions({
      onSuccess: (result) => {
        setCodes(result.recoveryCodes);
        enroll.reset();
        confirmForm.reset();
        refreshMe();
        toast.success("Two-factor authentication is on");
      },
      onError: confirmForm.serverErrors,
    }),
  );
  const regenerate = useMutation(
    trpc.profile.regenerateRecoveryCodes.mutationOptions({
      onSuccess: (result) => {
        setCodes(result.recoveryCodes);
        regenerateForm.reset();
      },
      onError: regenerateForm.serverErrors,
    }),
  );
  const disable = useMutation(
    trpc.profile.disableTotp.mutationOptions({
      onSuccess: () => {
        disableForm.reset();
        setCodes(null);
        refreshMe();
        toast.success("Two-factor authentication is off");
      },
      onError: disableForm.serverErrors,
    }),
  );

  if (codes) {
    return (
      <div className="flex flex-col gap-4">
        <RecoveryCodes codes={codes} />
        <div>
          <Button
            variant="secondary"
            onPress={() => {
              setCodes(null);
            }}
          >
            I have saved them
          </Button>
        </div>
      </div>
    );
  }

  if (!enabled) {
    if (!enroll.data) {
      return (
        <div className="flex flex-col items-start gap-3">
          <p className="text-sm text-muted">
            Sign-in then also asks for a code from an authenticator app (any TOTP app).
          </p>
          <Button
            isPending={enroll.isPending}
            onPress={() => {
              enroll.mutate({});
            }}
          >
            Set up two-factor authentication
          </Button>
        </div>
      );
    }
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm">1. Scan this code with your authenticator app, or enter the secret by hand.</p>
        <div className="flex flex-wrap items-center gap-6">
          {/* a PNG data URL rendered by the server: no request leaves the page */}
          <img
            src={enroll.data.qrCode}
            alt="QR code of your TOTP secret"
            width={180}
            height={180}
            className="rounded-lg bg-white p-2"
          />
          <div className="flex flex-col gap-2">
            <span className="text-sm text-muted">Secret</span>
            <code className="break-all text-sm" data-testid="totp-secret">
              {enroll.data.secret}
            </code>
            <CopyButton text={enroll.data.secret} what="Secret" />
          </div>
        </div>
        <ActionForm
          className="flex max-w-sm flex-col gap-3"
          submitLabel="Turn on"
          isPending={confirm.isPending}
          onSubmit={confirmForm.handleSubmit(ZConfirmTotpInput, confirm.mutate)}
        >
          <CodeInput
            label="2. Enter the 6-digit code it shows"
            autoComplete="one-time-code"
            {...clearingError(confirmForm.field("code"), confirm)}
          />
          <MutationError mutation={confirm} title="Two-factor authentication is still off" />
        </ActionForm>
      </div>
    );
  }

  return (
    <div className="grid gap-6 md:grid-cols-2">
      <ActionForm
        variant="secondary"
        submitLabel="Make new codes"
        isPending={regenerate.isPending}
        onSubmit={regenerateForm.handleSubmit(ZConfirmTotpInput, regenerate.mutate)}
      >
        <h3 className="font-medium">New recovery codes</h3>
        <p className="text-sm text-muted">Replaces the old ones.</p>
        <CodeInput
          label="Current code"
          {...clearingError(regenerateForm.field("code", "regenerate-code"), regenerate)}
        />
        <MutationError mutation={regenerate} title="No new codes were made" />
      </ActionForm>
      <ActionForm
        variant="danger-soft"
        submitLabel="Turn off two-factor"
        isPending={disable.isPending}
        onSubmit={disableForm.handleSubmit(ZDisableTotpInput, disable.mutate)}
      >
        <h3 className="font-medium">Turn off</h3>
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          {...clearingError(disableForm.field("password", "disable-password"), disable)}
        />
        <CodeInput
          label="Current code"
          {...clearingError(disableForm.field("code", "disable-code"), disable)}
        />
        <MutationError mutation={disable} title="Two-factor authentication is still on" />
      </ActionForm>
    </div>
  );
}

type WebSessionDto = RouterOutputs["profile"]["webSessions"]["items"][number];

/** The browsers signed in as this admin (web sessions still on), each with "End", and "Sign out everywhere". */
function WebSessions() {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const sessions = useQuery(trpc.profile.webSessions.queryOptions({}));
  const end = useMutation(
    trpc.profile.endWebSession.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.profile);
        toast.success("Session ended");
      },
    }),
  );
  const everywhere = useMutation(
    trpc.profile.signOutEverywhere.mutationOptions({
      onSuccess: () => {
        // this browser's session has ended too: clear its cookie and sign in again
        void signOut({ callbackUrl: "/sign-in" });
      },
    }),
  );
  const columns: Column<WebSessionDto>[] = [
    {
      id: "createdAt",
      label: "Signed in",
      isRowHeader: true,
      render: (row) => formatDateTime(row.createdAt),
    },
    { id: "lastSeenAt", label: "Last seen", render: (row) => formatDateTime(row.lastSeenAt) },
    { id: "expiresAt", label: "Ends", render: (row) => formatDateTime(row.expiresAt) },
    { id: "ip", label: "Address", render: (row) => row.ip ?? "—" },
    {
      id: "userAgent",
      label: "Browser",
      className: "max-w-xs truncate",
      render: (row) => <span title={row.userAgent}>{row.userAgent || "—"}</span>,
    },
    confirmColumn<WebSessionDto>("end", (row) => ({
      label: "End",
      title: "End this session?",
      body: "That browser has to sign in again. If it is this one, you are signed out.",
      confirmLabel: "End session",
      danger: true,
      onConfirm: () => end.mutateAsync({ id: row.id }),
    })),
  ];
  return (
    <div className="flex flex-col gap-4">
      <DataTable
        label="Signed-in browsers"
        columns={columns}
        rows={sessions.data?.items}
        isLoading={sessions.isLoading}
        empty="No other sessions."
      />
      <div>
        <ConfirmButton
          label="Sign out everywhere"
          title="Sign out everywhere?"
          body="Every browser signed in as you is signed out, this one included; you sign in again next."
          confirmLabel="Sign out everywhere"
          danger
          size="md"
          onConfirm={() => everywhere.mutateAsync({})}
        />
      </div>
    </div>
  );
}

export default function ProfilePage() {
  const me = useMe();
  if (!me.data) return <LoadingState />;
  const admin = me.data;
  return (
    <>
      <PageHeader title="Your profile" description={admin.email} />
      <RecordGrid
        title="Account"
        details={[
          ["Name", admin.name || "—"],
          ["Role", <RoleChip key="r" role={admin.role} />],
          [
            "Groups",
            admin.groups.map((g) => g.name).join(", ") || (admin.role === "super_admin" ? "all" : "—"),
          ],
          ["Signs in with", admin.authSource === "ldap" ? "the directory (LDAP)" : "a password"],
          ["Two-factor", admin.totpEnabled ? "on" : "off"],
          ["Last sign-in", formatDateTime(admin.lastLoginAt, "never")],
          ["Password changed", formatDateTime(admin.passwordChangedAt, "never")],
        ]}
      >
        <Section title="Two-factor authentication" className="lg:col-span-2">
          <TwoFactor enabled={admin.totpEnabled} />
        </Section>
        {admin.authSource === "local" ? (
          <Section title="Password" className="lg:col-span-2">
            <PasswordForm />
          </Section>
        ) : null}
        <Section title="Signed-in browsers" className="lg:col-span-2">
          <WebSessions />
        </Section>
      </RecordGrid>
    </>
  );
}
