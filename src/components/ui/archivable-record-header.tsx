"use client";
// The header of a record's page for records that can be archived (customers, products): the name
// marked when archived, the page's actions, and the archive (or restore) and delete buttons.
import { toast } from "@heroui/react";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { WithStatus } from "./chips.tsx";
import { ConfirmButton } from "./confirm-button.tsx";
import { PageHeader } from "./page.tsx";

type ArchivableRecord = { id: string; name: string; archivedAt: string | null };

interface ArchiveDeleteProps {
  /** "customer", "product" … */
  kind: string;
  archiveBody: string;
  restoreBody: string;
  deleteBody: string;
  onArchive: (input: { id: string; archived: boolean }) => Promise<unknown>;
  onDelete: (input: { id: string }) => Promise<unknown>;
  onDeleted: () => void;
  listHref: string;
}

/**
 * The header of a record that can be archived: its name (marked when archived), its actions and,
 * where the admin may (`archiving` is false otherwise), the archive and delete buttons.
 */
export function ArchivableRecordHeader({
  record,
  description,
  actions,
  archiving,
}: {
  record: ArchivableRecord;
  description?: ReactNode;
  actions?: ReactNode;
  archiving: ArchiveDeleteProps | false;
}) {
  return (
    <PageHeader
      title={
        <WithStatus status={record.archivedAt && "archived"} className="gap-3">
          {record.name}
        </WithStatus>
      }
      description={description}
      actions={
        <>
          {actions}
          {archiving ? <ArchiveDeleteButtons record={record} {...archiving} /> : null}
        </>
      }
    />
  );
}

/**
 * The archive (or restore) and delete buttons of a record's page, each behind a confirmation.
 * After a successful delete a toast says so, `onDeleted` runs and the record's list opens.
 */
function ArchiveDeleteButtons({
  kind,
  record,
  archiveBody,
  restoreBody,
  deleteBody,
  onArchive,
  onDelete,
  onDeleted,
  listHref,
}: ArchiveDeleteProps & { record: ArchivableRecord }) {
  const router = useRouter();
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
  const { id, name } = record;
  const archived = record.archivedAt !== null;
  return (
    <>
      <ConfirmButton
        size="md"
        label={archived ? "Restore" : "Archive"}
        title={archived ? `Restore this ${kind}?` : `Archive this ${kind}?`}
        body={archived ? restoreBody : archiveBody}
        confirmLabel={archived ? "Restore" : "Archive"}
        onConfirm={() => onArchive({ id, archived: !archived })}
      />
      <ConfirmButton
        size="md"
        danger
        label="Delete"
        title={`Delete ${name}?`}
        body={deleteBody}
        confirmLabel={`Delete ${kind}`}
        onConfirm={async () => {
          await onDelete({ id });
          toast.success(`${Kind} ${name} deleted`);
          onDeleted();
          router.push(listHref);
        }}
      />
    </>
  );
}
