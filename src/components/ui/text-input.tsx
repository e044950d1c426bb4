"use client";
// Text fields (also email, number, date, multi-line) with their label, hint and error; password and code fields.
import { Description, FieldError, Input, Label, TextArea, TextField } from "@heroui/react";
import type { ReactNode } from "react";

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
