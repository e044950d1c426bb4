"use client";
// An error that reads as one: a danger alert (red edge and tint, the danger icon, a title) that
// screen readers announce (role="alert"), never a box that looks like an input.
import { Alert } from "@heroui/react";
import type { ReactNode } from "react";
import { asSentence, errorMessage } from "@/lib/trpc-errors.ts";

export function ErrorAlert({
  title,
  children,
  className,
  testId,
}: {
  title: string;
  children?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <Alert
      status="danger"
      role="alert"
      data-testid={testId}
      className={`border border-danger/50 bg-danger/10 shadow-none ${className ?? ""}`}
    >
      <Alert.Indicator />
      <Alert.Content>
        <Alert.Title>{title}</Alert.Title>
        {children ? (
          <Alert.Description className="text-foreground">
            {typeof children === "string" ? asSentence(children) : children}
          </Alert.Description>
        ) : null}
      </Alert.Content>
    </Alert>
  );
}

interface FailedMutation {
  error: unknown;
  reset: () => void;
}

/** A failed change's error as an alert, in the server's words; nothing while it has not failed. */
export function MutationError({ mutation, title }: { mutation: FailedMutation; title: string }) {
  if (!mutation.error) return null;
  return <ErrorAlert title={title}>{errorMessage(mutation.error)}</ErrorAlert>;
}

/** A field's props that also clear the change's error once the field changes (no stale alert). */
export function clearingError<F extends { onChange: (value: string) => void }>(
  field: F,
  mutation: FailedMutation,
): F {
  return {
    ...field,
    onChange: (value: string) => {
      if (mutation.error) mutation.reset();
      field.onChange(value);
    },
  };
}
