"use client";
// Small coloured labels: a record's status, an admin's role, a name followed by its status.
import { Chip } from "@heroui/react";
import type { ReactNode } from "react";
import { codeLabel } from "./format.ts";

const STATUS_COLORS: Record<string, "success" | "warning" | "danger" | "default" | "accent"> = {
  active: "success",
  live: "success",
  valid: "success",
  suspended: "warning",
  late: "warning",
  held: "warning",
  published: "accent",
  revoked: "danger",
  expired: "default",
  retired: "default",
  ended: "default",
  archived: "default",
  disabled: "danger",
};

export function StatusChip({ status, label }: { status: string; label?: string }) {
  return (
    <Chip size="sm" variant="soft" color={STATUS_COLORS[status] ?? "default"} data-status={status}>
      {label ?? codeLabel(status)}
    </Chip>
  );
}

/** A name followed by its status chip when it has one ("archived", "disabled" …). */
export function WithStatus({
  status,
  children,
  className = "gap-2",
}: {
  status: string | null | false;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span className={`flex items-center ${className}`}>
      {children}
      {status ? <StatusChip status={status} /> : null}
    </span>
  );
}

export function RoleChip({ role }: { role: string }) {
  const color =
    role === "super_admin"
      ? "danger"
      : role === "admin"
        ? "warning"
        : role === "editor"
          ? "accent"
          : "default";
  return (
    <Chip size="sm" variant="soft" color={color}>
      {codeLabel(role)}
    </Chip>
  );
}
