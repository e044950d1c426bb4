"use client";
// The license page's dialogs: renew (extend or set a date) and download an offline .lic file.
import { toast } from "@heroui/react";
import { useMutation } from "@tanstack/react-query";
import { ZRenewLicenseInput } from "@/server/core/licenses/schemas.ts";
import { licenseFileInputFor } from "@/server/core/offline/schemas.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import type { License } from "./license-table.tsx";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { dateToIso, numberOrUndefined } from "@/components/ui/form-values.ts";
import { formatDate } from "@/components/ui/format.ts";
import { SelectInput } from "@/components/ui/select-input.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";

const MODE_EXTEND: "extend" | "date" = "extend";

export function RenewButton({ license }: { license: License }) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const form = useForm({ mode: MODE_EXTEND, extendDays: "365", expiresAt: "" });
  const dialog = useDialog(form.reset);
  const renew = useMutation(
    trpc.licenses.renew.mutationOptions({
      onSuccess: (renewed) => {
        invalidateQueries(trpc.licenses, trpc.dashboard);
        toast.success(`Renewed: expires ${formatDate(renewed.expiresAt, "never")}`);
        dialog.onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values } = form;
  const submit = form.handleSubmit(ZRenewLicenseInput, renew.mutate, (v) =>
    v.mode === "extend"
      ? { id: license.id, extendDays: numberOrUndefined(v.extendDays) }
      : { id: license.id, expiresAt: dateToIso(v.expiresAt) },
  );
  return (
    <>
      <OpenButton label="Renew" variant="secondary" onOpen={dialog.open} />
      <FormDialog
        title="Renew license"
        {...dialog}
        submitLabel="Renew"
        isPending={renew.isPending}
        onSubmit={() => {
          // no days: the schema's "either a date or days" lands on the date field, hidden in this mode
          if (values.mode === "extend" && values.extendDays.trim() === "") {
            form.setErrors({ extendDays: "is required" });
            return;
          }
          submit();
        }}
      >
        <p className="text-sm text-muted">
          Now expires: {formatDate(license.expiresAt, "never")}. An expired license becomes active again; a
          suspended one stays suspended.
        </p>
        <SelectInput
          label="How"
          {...form.field("mode")}
          options={[
            { value: "extend", label: "Extend by a number of days" },
            { value: "date", label: "Set a new expiry date" },
          ]}
        />
        {values.mode === "extend" ? (
          <TextInput
            label="Days"
            type="number"
            {...form.field("extendDays")}
            description="Counted from the current expiry (from today if it has passed)."
          />
        ) : (
          <TextInput
            label="New expiry"
            type="date"
            {...form.field("expiresAt")}
            description="Empty: never expires."
          />
        )}
      </FormDialog>
    </>
  );
}

/** Saves text as a file through the browser's download (nothing leaves the page but the file). */
function saveFile(name: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

export function DownloadLicenseFileButton({ license }: { license: License }) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const form = useForm({ days: "", fingerprint: "", encrypt: false });
  const dialog = useDialog(form.reset);
  const checkout = useMutation(
    trpc.offline.checkout.mutationOptions({
      onSuccess: (file) => {
        saveFile(file.fileName, file.content);
        invalidateQueries(trpc.offline);
        toast.success(`Downloaded ${file.fileName}`);
        dialog.onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values } = form;
  const nodeLocked = license.type === "node_locked";
  return (
    <>
      <OpenButton
        label="Download .lic"
        variant="secondary"
        isDisabled={license.offlineAllowanceDays === 0 || license.effectiveStatus !== "active"}
        onOpen={dialog.open}
      />
      <FormDialog
        title="Offline license file"
        {...dialog}
        submitLabel="Download"
        isPending={checkout.isPending}
        onSubmit={() => {
          const days = numberOrUndefined(values.days);
          // the server's limit and the license's allowance, worded as the server words them
          if (!form.validate(licenseFileInputFor(license.offlineAllowanceDays), { days })) return;
          const fingerprint = values.fingerprint.trim();
          if (nodeLocked && !fingerprint) {
            form.setErrors({ fingerprint: "is required for a node-locked license" });
            return;
          }
          if (values.encrypt && !fingerprint) {
            form.setErrors({ fingerprint: "is required to encrypt the file" });
            return;
          }
          checkout.mutate({
            id: license.id,
            ...(days !== undefined ? { days } : {}),
            ...(fingerprint ? { fingerprint } : {}),
            encrypt: values.encrypt,
          });
        }}
      >
        <p className="text-sm text-muted">
          A signed file the software verifies without the server, valid for at most{" "}
          {license.offlineAllowanceDays} days.
        </p>
        <TextInput
          label="Valid for (days)"
          type="number"
          {...form.field("days")}
          placeholder={String(license.offlineAllowanceDays)}
        />
        <TextInput
          label="Machine fingerprint"
          {...form.field("fingerprint")}
          description={
            nodeLocked
              ? "Required: the file works on this machine only."
              : "Optional: bind the file to one machine."
          }
        />
        <CheckboxInput label="Encrypt for that machine" {...form.checkbox("encrypt")} />
      </FormDialog>
    </>
  );
}
