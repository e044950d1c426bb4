"use client";
// Consequential actions behind a confirmation dialog (with an optional reason), as a button or as
// a table column of one such button a row.
import { Button, Label, TextArea, TextField } from "@heroui/react";
import { useState, type ReactNode } from "react";
import type { Column } from "./data-table.tsx";
import { CancelButton, Dialog } from "./dialog.tsx";

export interface ConfirmButtonProps {
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  reasonLabel?: string;
  onConfirm: (reason: string) => Promise<unknown>;
  isDisabled?: boolean;
  size?: "sm" | "md";
  variant?: "primary" | "secondary" | "tertiary" | "danger" | "danger-soft" | "outline" | "ghost";
}

/** A table's column of one confirmed action a row; `confirm` gives none (false) where it does not apply. */
export function confirmColumn<T>(id: string, confirm: (row: T) => ConfirmButtonProps | false): Column<T> {
  return {
    id,
    label: "",
    render: (row) => {
      const props = confirm(row);
      return props ? <ConfirmButton {...props} /> : null;
    },
  };
}

/**
 * Asks before a consequential action. With `reasonLabel` it also takes an optional reason, passed
 * to onConfirm. The dialog stays open while the action runs and closes when it succeeds.
 */
export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  danger = false,
  reasonLabel,
  onConfirm,
  isDisabled,
  size = "sm",
  variant,
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [reason, setReason] = useState("");
  return (
    <>
      <Button
        size={size}
        variant={variant ?? (danger ? "danger-soft" : "secondary")}
        isDisabled={isDisabled}
        onPress={() => {
          setReason("");
          setOpen(true);
        }}
      >
        {label}
      </Button>
      <Dialog
        title={title}
        isOpen={open}
        onOpenChange={setOpen}
        footer={
          <>
            <CancelButton onOpenChange={setOpen} />
            <Button
              variant={danger ? "danger" : "primary"}
              isPending={pending}
              onPress={() => {
                setPending(true);
                onConfirm(reason.trim())
                  .then(() => {
                    setOpen(false);
                  })
                  .catch(() => {
                    // the mutation's error toast says why; the dialog stays for another try
                  })
                  .finally(() => {
                    setPending(false);
                  });
              }}
            >
              {confirmLabel}
            </Button>
          </>
        }
      >
        <div className="text-sm">{body}</div>
        {reasonLabel ? (
          <TextField value={reason} onChange={setReason} name="reason">
            <Label>{reasonLabel}</Label>
            <TextArea rows={2} />
          </TextField>
        ) : null}
      </Dialog>
    </>
  );
}
