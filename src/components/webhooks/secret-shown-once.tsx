"use client";
// An endpoint's signing secret, shown once after it was created or rotated (as the API keys page
// shows a new key): the server stores it sealed and never shows it again.
import { Alert, Button } from "@heroui/react";
import type { ReactNode } from "react";
import { SecretValue } from "@/components/ui/copy.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";

export function SecretShownOnce({
  title,
  secret,
  onClose,
  children,
}: {
  title: string;
  secret: string | null;
  onClose: () => void;
  /** what else to say (e.g. until when the old secret still signs) */
  children?: ReactNode;
}) {
  return (
    <Dialog
      title={title}
      isOpen={secret !== null}
      isDismissable={false}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      size="lg"
      footer={<Button onPress={onClose}>Done</Button>}
    >
      <Alert status="warning">
        <Alert.Content>
          <Alert.Title>Store it now: it will not be shown again</Alert.Title>
          <Alert.Description>
            Give it to the receiver&apos;s Standard Webhooks verifier (
            <code>new Webhook(secret).verify(body, headers)</code>). The server keeps it encrypted and never
            shows it again; a lost secret is replaced by rotating it.
          </Alert.Description>
        </Alert.Content>
      </Alert>
      {secret ? <SecretValue value={secret} label="Signing secret" what="Signing secret" /> : null}
      {children}
    </Dialog>
  );
}
