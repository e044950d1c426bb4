"use client";
// A form's state, validated by the same Zod schemas the server parses with
// (src/server/core/<area>/schemas.ts): a bad value is marked at its field before anything is
// sent, and the server's field errors (data.fields) land at the same places when it refuses. The
// messages are the server's own words (src/server/core/shared/messages.ts): the first issue of a
// field is shown, and it goes as soon as that field changes.
import { useCallback, useState } from "react";
import type { z } from "zod";
import { fieldIssues } from "@/lib/trpc-errors.ts";
// the error map that words the schemas' messages ("at least 1 seat"), as the server words them
import "@/server/core/shared/messages.ts";

export type FieldErrors = Record<string, string>;

/** The keys of T whose values are strings (text fields, selects) or booleans (checkboxes). */
type KeysOf<T, V> = { [K in keyof T]: T[K] extends V ? K : never }[keyof T] & string;

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
      next[path] ??= issue.message;
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
