"use client";
// Forms whose fields show their own errors (aria) and submit without a page load: the bare form,
// and a page section's small form with its one submit button.
import { Button, Form } from "@heroui/react";
import type { ReactNode } from "react";

/** A form whose fields show their own errors (aria), submitted without a page load. */
export function ValidatedForm({
  onSubmit,
  className,
  children,
}: {
  onSubmit: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Form
      validationBehavior="aria"
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </Form>
  );
}

/** A small form of a page's section: its fields, then one submit button. */
export function ActionForm({
  onSubmit,
  submitLabel,
  isPending,
  variant = "primary",
  className = "flex flex-col gap-3",
  children,
}: {
  onSubmit: () => void;
  submitLabel: string;
  isPending: boolean;
  variant?: "primary" | "secondary" | "danger-soft";
  className?: string;
  children: ReactNode;
}) {
  return (
    <ValidatedForm className={className} onSubmit={onSubmit}>
      {children}
      <div>
        <Button type="submit" variant={variant} isPending={isPending}>
          {submitLabel}
        </Button>
      </div>
    </ValidatedForm>
  );
}
