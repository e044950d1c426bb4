"use client";
// A dashboard figure: a label, a big number and an optional hint.
import { Card } from "@heroui/react";
import type { ReactNode } from "react";

export function StatCard({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card>
      <Card.Content className="flex flex-col gap-1">
        <span className="text-sm text-muted">{label}</span>
        <span className="text-3xl font-semibold tabular-nums" data-stat={label}>
          {value}
        </span>
        {hint ? <span className="text-xs text-muted">{hint}</span> : null}
      </Card.Content>
    </Card>
  );
}
