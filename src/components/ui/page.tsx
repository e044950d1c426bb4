"use client";
// The frame of a page's content: its header (title, description, actions) and its sections (cards).
import { Card } from "@heroui/react";
import type { ReactNode } from "react";

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function Section({
  title,
  actions,
  children,
  className = "",
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    // min-w-0: in a grid, a wide table scrolls inside its card instead of widening the page
    <Card className={`min-w-0 ${className}`}>
      <Card.Header className="flex flex-row items-center justify-between gap-2">
        <Card.Title className="text-base font-semibold">{title}</Card.Title>
        {actions}
      </Card.Header>
      <Card.Content>{children}</Card.Content>
    </Card>
  );
}
