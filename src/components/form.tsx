"use client";
// Forms validated by the same Zod schemas the server parses with (src/server/core/<area>/schemas.ts):
// a bad value is marked at its field before anything is sent, and the server's field errors
// (data.fields) land at the same places when it refuses.
import { Button, Description, FieldError, Form, Input, Label, TextArea, TextField } from "@heroui/react";
import { useCallback, useId, useState, type ReactNode } from "react";
import type { z } from "zod";
import { fieldIssues } from "./errors.ts";

export type FieldErrors = Record<string, string>;

/** The keys of T whose values are strings (text fields, selects) or booleans (checkboxes). */
type KeysOf<T, V> = { [K in keyof T]: T[K] extends V ? K : never }[keyof T] & string;

function humanize(message: string): string {
  if (/expected number/.test(message)) return "must be a number";
  if (/expected string, received undefined|received undefined/.test(message)) return "is required";
  return message;
}

function focusFirstInvalid(): void {
  setTimeout(() => {
    const field = document.querySelector<HTMLElement>(
      'form [aria-invalid="true"], form [data-invalid="true"] input, form [data-invalid="true"] textarea',
    );
    field?.focus();
  }, 0);
}

export function useForm<T extends Record<string, unknown>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});

  const set = useCallback(<K extends keyof T>(key: K, value: T[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setErrors((current) => {
      if (!(key in current)) return current;
      const { [key as string]: _gone, ...rest } = current;
      return rest;
    });
  }, []);

  /** Parses `input` with `schema`; on failure marks the fields and returns null. */
  const validate = useCallback(<S extends z.ZodType>(schema: S, input: z.input<S>): z.input<S> | null => {
    const result = schema.safeParse(input);
    if (result.success) {
      setErrors({});
      return input;
    }
    const next: FieldErrors = {};
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join(".");
      next[path] ??= humanize(issue.message);
    }
    setErrors(next);
    focusFirstInvalid();
    return null;
  }, []);

  /** Marks the fields the server named in its refusal (the toast carries the message). */
  const serverErrors = useCallback((error: unknown) => {
    const issues = fieldIssues(error);
    if (issues.length === 0) return;
    const next: FieldErrors = {};
    for (const issue of issues) next[issue.path] ??= issue.message;
    setErrors(next);
    focusFirstInvalid();
  }, []);

  const reset = useCallback(
    (next: T = initial) => {
      setValues(next);
      setErrors({});
    },
    [initial],
  );

  /**
   * A submit handler: validates the values (or `toInput(values)`) with `schema` and, when they
   * pass, hands them to `action` (a mutation's mutate).
   */
  const handleSubmit =
    <S extends z.ZodType>(
      schema: S,
      action: (input: z.input<S>) => void,
      // the values themselves are the input only when they have its type
      ...rest: T extends z.input<S>
        ? [toInput?: (current: T) => z.input<S>]
        : [toInput: (current: T) => z.input<S>]
    ) =>
    () => {
      const toInput = rest[0] as ((current: T) => z.input<S>) | undefined;
      const input = validate(schema, toInput ? toInput(values) : (values as z.input<S>));
      if (input) action(input);
    };

  /** A text field's or a select's props bound to `key` (`name` defaults to the key). */
  const field = (key: KeysOf<T, string>, name: string = key) => ({
    name,
    value: values[key] as string,
    onChange: (value: string) => {
      // a select offers only its options, so the text is one of the key's values
      set(key, value as T[typeof key]);
    },
    error: errors[key],
  });

  /** A checkbox's props bound to `key`. */
  const checkbox = (key: KeysOf<T, boolean>) => ({
    name: key,
    checked: values[key] as boolean,
    onChange: (checked: boolean) => {
      set(key, checked as T[typeof key]);
    },
  });

  return { values, set, errors, setErrors, validate, serverErrors, reset, handleSubmit, field, checkbox };
}

/** Runs `onOpen` (during render, before the dialog paints) each time `isOpen` turns true. */
export function useOnOpen(isOpen: boolean, onOpen: () => void): void {
  const [wasOpen, setWasOpen] = useState(isOpen);
  if (isOpen !== wasOpen) {
    setWasOpen(isOpen);
    if (isOpen) onOpen();
  }
}

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

export interface TextInputProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  description?: ReactNode;
  type?: "text" | "email" | "password" | "number" | "date" | "datetime-local" | "search";
  isRequired?: boolean;
  isDisabled?: boolean;
  autoComplete?: string;
  placeholder?: string;
  inputMode?: "numeric" | "text" | "email";
  multiline?: boolean;
  autoFocus?: boolean;
  className?: string;
}

export function TextInput({
  label,
  name,
  value,
  onChange,
  error,
  description,
  type = "text",
  isRequired,
  isDisabled,
  autoComplete,
  placeholder,
  inputMode,
  multiline,
  autoFocus,
  className,
}: TextInputProps) {
  return (
    <TextField
      name={name}
      value={value}
      onChange={onChange}
      isInvalid={Boolean(error)}
      isRequired={isRequired}
      isDisabled={isDisabled}
      type={type}
      autoComplete={autoComplete}
      inputMode={inputMode}
      autoFocus={autoFocus}
      className={className ?? "w-full"}
    >
      <Label>{label}</Label>
      {multiline ? <TextArea rows={3} placeholder={placeholder} /> : <Input placeholder={placeholder} />}
      {description && !error ? <Description>{description}</Description> : null}
      <FieldError>{error}</FieldError>
    </TextField>
  );
}

/** A required password field; `autoComplete` tells a password manager which password it is. */
export function PasswordInput(
  props: Omit<TextInputProps, "type" | "isRequired" | "autoComplete"> & {
    autoComplete: "current-password" | "new-password";
  },
) {
  return <TextInput {...props} type="password" isRequired />;
}

/** A required code from an authenticator app (digits; the sign-in also takes a recovery code). */
export function CodeInput(props: Omit<TextInputProps, "inputMode" | "isRequired">) {
  return <TextInput {...props} inputMode="numeric" isRequired />;
}

export interface Option {
  value: string;
  label: string;
}

/** "super_admin" → "super admin": how codes (roles, statuses, types) read in the UI. */
export function codeLabel(code: string): string {
  return code.replace("_", " ");
}

/** A select's options for codes, each labelled by codeLabel. */
export function codeOptions(codes: readonly string[]): Option[] {
  return codes.map((code) => ({ value: code, label: codeLabel(code) }));
}

export interface SelectInputProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
  error?: string;
  description?: ReactNode;
  isRequired?: boolean;
  isDisabled?: boolean;
  placeholder?: string;
  className?: string;
}

/** A native select: keyboard- and screen-reader-friendly everywhere, styled like the fields. */
export function SelectInput({
  label,
  name,
  value,
  onChange,
  options,
  error,
  description,
  isRequired,
  isDisabled,
  placeholder,
  className,
}: SelectInputProps) {
  const id = useId();
  return (
    <div className={`flex flex-col gap-1 ${className ?? "w-full"}`} data-invalid={error ? "true" : undefined}>
      <label htmlFor={id} className="label text-sm font-medium">
        {label}
        {isRequired ? <span className="text-danger"> *</span> : null}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={isDisabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : description ? `${id}-description` : undefined}
        onChange={(event) => {
          onChange(event.target.value);
        }}
        className="h-9 w-full rounded-[var(--field-radius)] border border-border bg-field-background px-3 text-sm text-field-foreground shadow-[var(--field-shadow)] outline-none focus-visible:ring-2 focus-visible:ring-focus disabled:opacity-50 aria-invalid:border-danger"
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error ? (
        <span id={`${id}-error`} className="px-1 text-xs text-danger" data-slot="field-error">
          {error}
        </span>
      ) : description ? (
        <span id={`${id}-description`} className="px-1 text-xs text-muted">
          {description}
        </span>
      ) : null}
    </div>
  );
}

export function CheckboxInput({
  label,
  name,
  checked,
  onChange,
  description,
  isDisabled,
}: {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: ReactNode;
  isDisabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        disabled={isDisabled}
        onChange={(event) => {
          onChange(event.target.checked);
        }}
        className="mt-1 size-4 accent-[var(--accent)]"
      />
      <div className="flex flex-col">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {description ? <span className="text-xs text-muted">{description}</span> : null}
      </div>
    </div>
  );
}

/** A numeric field's text as what the schema expects: a number, or undefined when empty. */
export function numberOrUndefined(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : Number(trimmed);
}

/** A date field's value (yyyy-mm-dd) as an ISO date-time at 00:00 UTC, or null when empty. */
export function dateToIso(text: string): string | null {
  return text ? new Date(`${text}T00:00:00Z`).toISOString() : null;
}
