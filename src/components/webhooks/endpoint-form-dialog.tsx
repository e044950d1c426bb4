"use client";
// Create a webhook endpoint, or change one's URL, description, events and groups, validated by the
// webhooks' shared schemas. Creating answers the signing secret, which the caller shows once.
import { useMutation } from "@tanstack/react-query";
import { GroupPicker } from "@/components/groups/group-picker.tsx";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { FormDialog, useOnOpen } from "@/components/ui/dialog.tsx";
import { TextInput } from "@/components/ui/text-input.tsx";
import { useForm, type FieldErrors } from "@/components/ui/use-form.ts";
import { useInvalidate } from "@/hooks/use-invalidate.ts";
import { useMe } from "@/hooks/use-me.ts";
import { useTRPC } from "@/hooks/trpc.ts";
import type { EventType } from "@/server/core/events/schemas.ts";
import { ZCreateWebhookEndpointInput, ZUpdateWebhookEndpointInput } from "@/server/core/webhooks/schemas.ts";
import { EventTypesPicker, type EventsMode } from "./event-types-picker.tsx";
import { ALL_EVENTS, type WebhookEndpoint } from "./labels.tsx";

function initialValues(endpoint: WebhookEndpoint | undefined) {
  const all = !endpoint || endpoint.events.includes(ALL_EVENTS);
  const mode: EventsMode = all ? "all" : "chosen";
  return {
    url: endpoint?.url ?? "",
    description: endpoint?.description ?? "",
    eventsMode: mode,
    events: (all ? [] : endpoint.events) as EventType[],
    groupIds: endpoint?.groupIds ?? ([] as string[]),
    enabled: endpoint?.enabled ?? true,
  };
}

/** The schema's complaint about the events list or one of its entries ("events.3"). */
function eventsError(errors: FieldErrors): string | undefined {
  return errors.events ?? Object.entries(errors).find(([path]) => path.startsWith("events."))?.[1];
}

export function EndpointFormDialog({
  endpoint,
  isOpen,
  onOpenChange,
  onCreated,
}: {
  /** the endpoint to change; left out: a new one */
  endpoint?: WebhookEndpoint;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated?: (created: { endpoint: WebhookEndpoint; secret: string }) => void;
}) {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  const me = useMe();
  const superAdmin = me.data?.role === "super_admin";
  const form = useForm(initialValues(endpoint));
  useOnOpen(isOpen, () => {
    form.reset(initialValues(endpoint));
  });
  const invalidate = () => {
    invalidateQueries(trpc.webhooks, trpc.audit);
  };
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (created) => {
        invalidate();
        onOpenChange(false);
        onCreated?.(created);
      },
      onError: form.serverErrors,
    }),
  );
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: () => {
        invalidate();
        onOpenChange(false);
      },
      onError: form.serverErrors,
    }),
  );
  const { values, errors } = form;

  const fields = (v: typeof values) => ({
    url: v.url,
    description: v.description,
    events: v.eventsMode === "all" ? [ALL_EVENTS as "*"] : v.events,
  });
  const submit = endpoint
    ? form.handleSubmit(ZUpdateWebhookEndpointInput, update.mutate, (v) => ({
        endpointId: endpoint.id,
        ...fields(v),
        // none chosen: every group, which only a super admin may choose (the server says so otherwise)
        groupIds: v.groupIds.length > 0 ? v.groupIds : superAdmin ? null : [],
      }))
    : form.handleSubmit(ZCreateWebhookEndpointInput, create.mutate, (v) => ({
        ...fields(v),
        groupIds: v.groupIds.length > 0 ? v.groupIds : undefined,
        enabled: v.enabled,
      }));

  return (
    <FormDialog
      title={endpoint ? "Edit webhook endpoint" : "New webhook endpoint"}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      size="lg"
      onSubmit={submit}
      submitLabel={endpoint ? "Save" : "Create endpoint"}
      isPending={create.isPending || update.isPending}
    >
      <TextInput
        label="URL"
        {...form.field("url")}
        placeholder="https://erp.example.com/hooks/license-server"
        description="Where the server POSTs the events, signed as Standard Webhooks."
        isRequired
        autoFocus
      />
      <TextInput label="Description" {...form.field("description")} description="What receives them." />
      <EventTypesPicker
        mode={values.eventsMode}
        onModeChange={(mode) => {
          form.set("eventsMode", mode);
        }}
        value={values.events}
        onChange={(types) => {
          form.set("events", types);
        }}
        error={eventsError(errors)}
      />
      <GroupPicker
        legend="Groups"
        value={values.groupIds}
        onChange={(ids) => {
          form.set("groupIds", ids);
        }}
        error={errors.groupIds ?? Object.entries(errors).find(([p]) => p.startsWith("groupIds."))?.[1]}
        description={
          superAdmin
            ? "Only events of licenses in these groups. None chosen: every group, and catalogue-wide events (policy changes)."
            : endpoint
              ? "Only events of licenses in these groups."
              : "Only events of licenses in these groups. None chosen: all of your groups."
        }
      />
      {endpoint ? null : (
        <CheckboxInput
          label="Enabled"
          {...form.checkbox("enabled")}
          description="A disabled endpoint gets no deliveries until it is enabled."
        />
      )}
    </FormDialog>
  );
}
