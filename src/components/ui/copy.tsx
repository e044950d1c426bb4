"use client";
// Copying to the clipboard: a copy button, and a read-only value (a key, a secret shown once) with one.
import { Button, Input, Label, TextField, toast } from "@heroui/react";

function writeClipboard(text: string): Promise<void> {
  // a secure context (https, or this server on localhost); the key stays visible to copy by hand otherwise
  return navigator.clipboard.writeText(text);
}

export function CopyButton({ text, label = "Copy", what }: { text: string; label?: string; what?: string }) {
  return (
    <Button
      size="sm"
      variant="secondary"
      onPress={() => {
        writeClipboard(text).then(
          () => toast.success(`${what ?? "Text"} copied to the clipboard`),
          () => toast.warning("The browser refused the clipboard: select the text and copy it"),
        );
      }}
    >
      {label}
    </Button>
  );
}

/** A read-only value with a copy button (keys, secrets shown once). */
export function SecretValue({ value, label, what }: { value: string; label: string; what?: string }) {
  return (
    <TextField value={value} isReadOnly>
      <Label>{label}</Label>
      <div className="flex items-center gap-2">
        <Input className="font-mono" aria-label={label} />
        <CopyButton text={value} what={what ?? label} />
      </div>
    </TextField>
  );
}
