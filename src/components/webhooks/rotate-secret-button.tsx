"use client";
// Rotating an endpoint's signing secret: how long the old one keeps signing beside the new one
// (0-168 hours, 24 by default), then the new secret shown once.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { FormDialog, OpenButton, useDialog } from "@/components/ui/dialog.tsx";
import { formatDateTime } from "@/components/ui/format.ts";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import { ZRotateWebhookSecretInput } from "@/server/core/webhooks/schemas.ts";
import type { WebhookEndpoint } from "./labels.tsx";
import { SecretShownOnce } from "./secret-shown-once.tsx";

export function RotateSecretButton({ endpoint }: { endpoint: WebhookEndpoint }) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const form = useForm({ graceHours: "24" });
  const dialog = useDialog(form.reset);
  const [rotated, setRotated] = useState<{ secret: string; previousSecretUntil: string | null } | null>(null);
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: (result) => {
        invalidateQueries(trpc.webhooks, trpc.audit);
        dialog.onOpenChange(false);
        const until = result.endpoint.previousSecretUntil as Date | string | null;
        setRotated({
          secret: result.secret,
          previousSecretUntil: until === null ? null : formatDateTime(until),
        });
      },
      onError: form.serverErrors,
    }),
  );
  const submit = form.handleSubmit(ZRotateWebhookSecretInput, rotate.mutate, (v) => ({
    endpointId: endpoint.id,
    // the schema takes the field's digits; an empty field is refused, not read as the default
    graceHours: v.graceHours.trim() === "" ? "" : v.graceHours.trim(),
  }));
  return (
    <>
      <OpenButton label="Rotate secret" variant="secondary" onOpen={dialog.open} />
      <FormDialog
        title="Rotate signing secret"
        {...dialog}
        submitLabel="Rotate secret"
        isPending={rotate.isPending}
        onSubmit={submit}
      >
        <p className="text-sm text-muted">
          A new secret signs every delivery from now on. During the grace period the old one signs beside it
          (deliveries carry both signatures), so the receiver keeps verifying until it has the new one.
        </p>
        <TextInput
          label="Grace period (hours)"
          type="number"
          inputMode="numeric"
          {...form.field("graceHours")}
          description="0 to 168. 0 retires the old secret at once (for a secret that leaked)."
          isRequired
        />
      </FormDialog>
      <SecretShownOnce
        title="The new signing secret"
        secret={rotated?.secret ?? null}
        onClose={() => {
          setRotated(null);
        }}
      >
        <p className="text-sm text-muted" data-testid="webhook-previous-secret-until">
          {rotated?.previousSecretUntil
            ? `The old secret signs beside it until ${rotated.previousSecretUntil}.`
            : "The old secret no longer signs."}
        </p>
      </SecretShownOnce>
    </>
  );
}
