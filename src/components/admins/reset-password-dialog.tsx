"use client";
// A super admin sets another local admin's password (admins.setPassword): the strength shown as it
// is typed, the server's schema and strength check; the admin's web sessions end.
import { toast } from "@heroui/react";
import { useMutation } from "@tanstack/react-query";
import { FormDialog, useLastDefined, useOnOpen } from "@/components/ui/dialog.tsx";
import { NewPasswordInput } from "@/components/ui/new-password-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useTRPC, type RouterOutputs } from "@/hooks/trpc.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { ZSetAdminPasswordInput } from "@/server/core/admins/schemas.ts";

type Admin = RouterOutputs["admins"]["list"]["items"][number];

/** Open while `admin` is set; closing calls onClose. */
export function ResetPasswordDialog({
  admin: openFor,
  onClose,
}: {
  admin: Admin | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  // while closing: the record it was open for
  const admin = useLastDefined(openFor);
  const invalidateQueries = useInvalidate();
  const form = useForm({ password: "" });
  const reset = useMutation(
    trpc.admins.setPassword.mutationOptions({
      onSuccess: () => {
        invalidateQueries(trpc.admins, trpc.audit);
        toast.success(`Password set for ${admin?.email ?? "the admin"}`);
        onClose();
      },
      onError: form.serverErrors,
    }),
  );
  const isOpen = openFor !== undefined;
  useOnOpen(isOpen, () => {
    form.reset({ password: "" });
  });
  return (
    <FormDialog
      title={admin ? `Reset the password of ${admin.email}` : "Reset password"}
      isOpen={isOpen}
      onOpenChange={(open) => {
        if (!open) {
          reset.reset();
          onClose();
        }
      }}
      submitLabel="Set password"
      isPending={reset.isPending}
      error={reset.error}
      onSubmit={form.handleSubmit(ZSetAdminPasswordInput, reset.mutate, (v) => ({
        id: admin?.id ?? "",
        password: v.password,
      }))}
    >
      <p className="text-sm text-muted">
        They are signed out everywhere and sign in with this password; tell them to change it on their profile
        page.
      </p>
      <NewPasswordInput
        label="New password"
        {...form.field("password")}
        userInputs={[admin?.email, admin?.name]}
      />
    </FormDialog>
  );
}
