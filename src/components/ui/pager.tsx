"use client";
// The pages of a list: which rows are shown of how many, and buttons to the previous and next page.
import { Button } from "@heroui/react";

export function Pager({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center justify-between gap-2 text-sm text-muted">
      <span>
        {first}–{last} of {total}
      </span>
      <div className="flex items-center gap-2">
        <Button
          size="sm"
          variant="secondary"
          isDisabled={page <= 1}
          onPress={() => {
            onPage(page - 1);
          }}
        >
          Previous
        </Button>
        <span aria-current="page">
          Page {Math.min(page, pages)} of {pages}
        </span>
        <Button
          size="sm"
          variant="secondary"
          isDisabled={page >= pages}
          onPress={() => {
            onPage(page + 1);
          }}
        >
          Next
        </Button>
      </div>
    </nav>
  );
}
