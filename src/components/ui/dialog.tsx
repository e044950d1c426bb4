"use client";
// Modals: a heading, a body, a footer of buttons; FormDialog's body is a form with Cancel and a
// submit button that shows progress, and the server's refusal above the fields. useDialog and
// useOnOpen keep a dialog's open state.
import { Alert, Button, Modal } from "@heroui/react";
import { useState, type ReactNode } from "react";
import { errorMessage } from "@/lib/trpc-errors.ts";
import { ValidatedForm } from "./validated-form.tsx";

/** With `onSubmit`, heading, body and footer are one form (its submit button sits in the footer). */
export function Dialog({
  title,
  isOpen,
  onOpenChange,
  isDismissable,
  size,
  onSubmit,
  footer,
  children,
}: {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  isDismissable?: boolean;
  size?: "sm" | "md" | "lg";
  onSubmit?: () => void;
  footer: ReactNode;
  children: ReactNode;
}) {
  const content = (
    <>
      <Modal.Header>
        <Modal.Heading>{title}</Modal.Heading>
      </Modal.Header>
      <Modal.Body className="flex flex-col gap-4">{children}</Modal.Body>
      <Modal.Footer>{footer}</Modal.Footer>
    </>
  );
  return (
    <Modal.Backdrop isOpen={isOpen} onOpenChange={onOpenChange} isDismissable={isDismissable}>
      <Modal.Container size={size}>
        <Modal.Dialog aria-label={title}>
          {onSubmit ? (
            // a column like the dialog's own, so that a tall form's body scrolls inside the dialog
            <ValidatedForm className="flex min-h-0 flex-col" onSubmit={onSubmit}>
              {content}
            </ValidatedForm>
          ) : (
            content
          )}
        </Modal.Dialog>
      </Modal.Container>
    </Modal.Backdrop>
  );
}

/** A dialog's open state for `{...dialog}`; `open()` runs `onOpen` first (a form's reset, say). */
export function useDialog(onOpen?: () => void) {
  const [isOpen, onOpenChange] = useState(false);
  return {
    isOpen,
    onOpenChange,
    open: () => {
      onOpen?.();
      onOpenChange(true);
    },
  };
}

/** Runs `onOpen` (during render, before the dialog paints) each time `isOpen` turns true. */
export function useOnOpen(isOpen: boolean, onOpen: () => void): void {
  const [wasOpen, setWasOpen] = useState(isOpen);
  if (isOpen !== wasOpen) {
    setWasOpen(isOpen);
    if (isOpen) onOpen();
  }
}

/** The button that opens a dialog (with useDialog: `onOpen={dialog.open}`). */
export function OpenButton({
  label,
  onOpen,
  size,
  variant,
  isDisabled,
}: {
  label: string;
  onOpen: () => void;
  size?: "sm" | "md";
  variant?: "primary" | "secondary";
  isDisabled?: boolean;
}) {
  return (
    <Button
      size={size}
      variant={variant}
      isDisabled={isDisabled}
      onPress={() => {
        onOpen();
      }}
    >
      {label}
    </Button>
  );
}

export function CancelButton({ onOpenChange }: { onOpenChange: (open: boolean) => void }) {
  return (
    <Button
      variant="secondary"
      onPress={() => {
        onOpenChange(false);
      }}
    >
      Cancel
    </Button>
  );
}

/**
 * Why the server refused a change (a mutation's error: a rule such as FAILED_PRECONDITION, or
 * bad fields, which the form also marks at each field), as a danger alert above the fields.
 */
export function RefusalAlert({ error, title = "Not saved" }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert status="danger" role="alert" data-testid="dialog-refusal">
      <Alert.Indicator />
      <Alert.Content>
        <Alert.Title>{title}</Alert.Title>
        <Alert.Description>{errorMessage(error)}</Alert.Description>
      </Alert.Content>
    </Alert>
  );
}

export function FormDialog({
  title,
  isOpen,
  onOpenChange,
  onSubmit,
  submitLabel,
  isPending,
  error,
  children,
  size = "md",
}: {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onSubmit: () => void;
  submitLabel: string;
  isPending: boolean;
  /** the last refusal of the dialog's mutation (reset it when the dialog opens) */
  error?: unknown;
  children: ReactNode;
  size?: "sm" | "md" | "lg";
}) {
  return (
    <Dialog
      title={title}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      size={size}
      onSubmit={onSubmit}
      footer={
        <>
          <CancelButton onOpenChange={onOpenChange} />
          <Button type="submit" isPending={isPending}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <RefusalAlert error={error} />
      {children}
    </Dialog>
  );
}

/**
 * The last record a dialog was opened for: while `value` is unset (the dialog closing) it keeps
 * the one before, so the closing dialog keeps its title and fields.
 */
export function useLastDefined<T>(value: T | undefined): T | undefined {
  const [last, setLast] = useState(value);
  if (value !== undefined && value !== last) setLast(value);
  return value ?? last;
}
