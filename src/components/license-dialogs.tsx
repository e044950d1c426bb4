"use client";
// The license page's dialogs: renew (extend or set a date) and download an offline .lic file.
import { Button, toast } from "@heroui/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ZRenewLicenseInput } from "@/server/core/licenses/schemas.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { FormDialog } from "./form-dialog.tsx";
import { CheckboxInput, dateToIso, numberOrUndefined, SelectInput, TextInput, useForm } from "./form.tsx";
import type { License } from "./license-bits.tsx";
import { formatDate } from "./ui.tsx";

const MODE_EXTEND: "extend" | "date" = "extend";

export function RenewButton({ license }: { license: License }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useForm({ mode: MODE_EXTEND, extendDays: "365", expiresAt: "" });
  const renew = useMutation(
    trpc.licenses.renew.mutationOptions({
      onSuccess: (renewed) => {
        void queryClient.invalidateQueries({ queryKey: trpc.licenses.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.pathKey() });
        toast.success(`Renewed: expires ${formatDate(renewed.expiresAt, "never")}`);
        setOpen(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values, errors } = form;
  return (
    <>
      <Button
        variant="secondary"
        onPress={() => {
          form.reset();
          setOpen(true);
        }}
      >
        Renew
      </Button>
      <FormDialog
        title="Renew license"
        isOpen={open}
        onOpenChange={setOpen}
        submitLabel="Renew"
        isPending={renew.isPending}
        onSubmit={() => {
          const input =
            values.mode === "extend"
              ? { id: license.id, extendDays: numberOrUndefined(values.extendDays) }
              : { id: license.id, expiresAt: dateToIso(values.expiresAt) };
          const valid = form.validate(ZRenewLicenseInput, input);
          if (valid) renew.mutate(valid);
        }}
      >
        <p className="text-sm text-muted">
          Now expires: {formatDate(license.expiresAt, "never")}. An expired license becomes active again; a
          suspended one stays suspended.
        </p>
        <SelectInput
          label="How"
          name="mode"
          value={values.mode}
          options={[
            { value: "extend", label: "Extend by a number of days" },
            { value: "date", label: "Set a new expiry date" },
          ]}
          onChange={(v) => {
            form.set("mode", v as "extend" | "date");
          }}
        />
        {values.mode === "extend" ? (
          <TextInput
            label="Days"
            name="extendDays"
            type="number"
            value={values.extendDays}
            onChange={(v) => {
              form.set("extendDays", v);
            }}
            error={errors.extendDays}
            description="Counted from the current expiry (from today if it has passed)."
          />
        ) : (
          <TextInput
            label="New expiry"
            name="expiresAt"
            type="date"
            value={values.expiresAt}
            onChange={(v) => {
              form.set("expiresAt", v);
            }}
            error={errors.expiresAt}
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
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const form = useForm({ days: "", fingerprint: "", encrypt: false });
  const checkout = useMutation(
    trpc.offline.checkout.mutationOptions({
      onSuccess: (file) => {
        saveFile(file.fileName, file.content);
        void queryClient.invalidateQueries({ queryKey: trpc.offline.pathKey() });
        toast.success(`Downloaded ${file.fileName}`);
        setOpen(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values, errors } = form;
  const nodeLocked = license.type === "node_locked";
  return (
    <>
      <Button
        variant="secondary"
        isDisabled={license.offlineAllowanceDays === 0 || license.effectiveStatus !== "active"}
        onPress={() => {
          form.reset();
          setOpen(true);
        }}
      >
        Download .lic
      </Button>
      <FormDialog
        title="Offline license file"
        isOpen={open}
        onOpenChange={setOpen}
        submitLabel="Download"
        isPending={checkout.isPending}
        onSubmit={() => {
          const fingerprint = values.fingerprint.trim();
          if (nodeLocked && !fingerprint) {
            form.setErrors({ fingerprint: "is required for a node-locked license" });
            return;
          }
          if (values.encrypt && !fingerprint) {
            form.setErrors({ fingerprint: "is required to encrypt the file" });
            return;
          }
          const days = numberOrUndefined(values.days);
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
          name="days"
          type="number"
          value={values.days}
          placeholder={String(license.offlineAllowanceDays)}
          onChange={(v) => {
            form.set("days", v);
          }}
          error={errors.days}
        />
        <TextInput
          label="Machine fingerprint"
          name="fingerprint"
          value={values.fingerprint}
          onChange={(v) => {
            form.set("fingerprint", v);
          }}
          error={errors.fingerprint}
          description={
            nodeLocked
              ? "Required: the file works on this machine only."
              : "Optional: bind the file to one machine."
          }
        />
        <CheckboxInput
          label="Encrypt for that machine"
          name="encrypt"
          checked={values.encrypt}
          onChange={(v) => {
            form.set("encrypt", v);
          }}
        />
      </FormDialog>
    </>
  );
}
