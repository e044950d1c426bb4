"use client";
// A native select styled like the fields, its options, and options for codes (roles, statuses …).
import { useId, type ReactNode } from "react";
import { codeLabel } from "./format.ts";

export interface Option {
  value: string;
  label: string;
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
