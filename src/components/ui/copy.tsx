"use client";
// Copying to the clipboard: a copy button, and a read-only value (a key, a secret shown once) with one.
import { Button, Input, Label, TextField, toast } from "@heroui/react";

function writeClipboard(text: string): Promise<void> {
  // a secure context (https, or this server on localhost); the key stays visible to copy by hand otherwise
  return navigator.clipboard.writeText(text);
}

/**
 * A button that copies `text`; `iconOnly`: a small icon button for table rows, named by
 * `ariaLabel` (say which value it copies: rows have one each).
 */
export function CopyButton({
  text,
  label = "Copy",
  what,
  iconOnly = false,
  ariaLabel,
}: {
  text: string;
  label?: string;
  what?: string;
  iconOnly?: boolean;
  ariaLabel?: string;
}) {
  return (
    <Button
      size="sm"
      variant={iconOnly ? "ghost" : "secondary"}
      isIconOnly={iconOnly}
      aria-label={ariaLabel}
      className={iconOnly ? "h-6 w-6 min-w-6" : undefined}
      onPress={() => {
        writeClipboard(text).then(
          () => toast.success(`${what ?? "Text"} copied to the clipboard`),
          () => toast.warning("The browser refused the clipboard: select the text and copy it"),
        );
      }}
    >
      {iconOnly ? <CopyIcon /> : label}
    </Button>
  );
}

function CopyIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor">
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" strokeWidth="1.3" />
      <path
        d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H4A1.5 1.5 0 0 0 2.5 3v5A1.5 1.5 0 0 0 4 9.5h.5"
        strokeWidth="1.3"
      />
    </svg>
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
