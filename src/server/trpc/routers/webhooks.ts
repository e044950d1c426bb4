import { z } from "zod";
import { createWebhookEndpoint } from "../../core/webhooks/create-endpoint.ts";
import { deleteWebhookEndpoint } from "../../core/webhooks/delete-endpoint.ts";
import { getWebhookEndpoint } from "../../core/webhooks/get-endpoint.ts";
import { listWebhookAttempts } from "../../core/webhooks/list-attempts.ts";
import { listWebhookDeliveries } from "../../core/webhooks/list-deliveries.ts";
import { listWebhookEndpoints } from "../../core/webhooks/list-endpoints.ts";
import { redeliverFailedWebhooks } from "../../core/webhooks/redeliver-failed.ts";
import { redeliverWebhook } from "../../core/webhooks/redeliver.ts";
import { rotateWebhookSecret } from "../../core/webhooks/rotate-secret.ts";
import {
  ZCreateWebhookEndpointInput,
  ZDeletedWebhookEndpointDto,
  ZDeliveryIdInput,
  ZEndpointIdInput,
  ZListDeliveriesInput,
  ZListWebhookEndpointsInput,
  ZRedeliverFailedResultDto,
  ZRotateWebhookSecretInput,
  ZUpdateWebhookEndpointInput,
  ZWebhookAttemptDto,
  ZWebhookDeliveryDto,
  ZWebhookEndpointDto,
  ZWebhookEndpointWithSecretDto,
  ZWebhookTestResultDto,
} from "../../core/webhooks/schemas.ts";
import { sendWebhookTestEvent } from "../../core/webhooks/send-test-event.ts";
import { updateWebhookEndpoint } from "../../core/webhooks/update-endpoint.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

const TAG = "Webhooks";

export const webhooksRouter = router({
  list: adminProcedure("webhook.read")
    .meta(rest("GET", "/webhook-endpoints", TAG, "List webhook endpoints with their deliveries by status"))
    .input(ZListWebhookEndpointsInput)
    .output(zPage(ZWebhookEndpointDto))
    .query(({ ctx, input }) => listWebhookEndpoints(ctx.domain, input)),
  get: adminProcedure("webhook.read")
    .meta(rest("GET", "/webhook-endpoints/{endpointId}", TAG, "Get a webhook endpoint"))
    .input(ZEndpointIdInput)
    .output(ZWebhookEndpointDto)
    .query(({ ctx, input }) => getWebhookEndpoint(ctx.domain, input)),
  create: adminProcedure("webhook.write")
    .meta(
      rest("POST", "/webhook-endpoints", TAG, "Create a webhook endpoint (its signing secret is shown once)"),
    )
    .input(ZCreateWebhookEndpointInput)
    .output(ZWebhookEndpointWithSecretDto)
    .mutation(({ ctx, input }) => createWebhookEndpoint(ctx.domain, input)),
  update: adminProcedure("webhook.write")
    .meta(
      rest(
        "PATCH",
        "/webhook-endpoints/{endpointId}",
        TAG,
        "Change a webhook endpoint's URL, events, groups, or enable or disable it",
      ),
    )
    .input(ZUpdateWebhookEndpointInput)
    .output(ZWebhookEndpointDto)
    .mutation(({ ctx, input }) => updateWebhookEndpoint(ctx.domain, input)),
  delete: adminProcedure("webhook.write")
    .meta(
      rest("DELETE", "/webhook-endpoints/{endpointId}", TAG, "Delete a webhook endpoint and its deliveries"),
    )
    .input(ZEndpointIdInput)
    .output(ZDeletedWebhookEndpointDto)
    .mutation(({ ctx, input }) => deleteWebhookEndpoint(ctx.domain, input)),
  rotateSecret: adminProcedure("webhook.write")
    .meta(
      rest(
        "POST",
        "/webhook-endpoints/{endpointId}/rotate-secret",
        TAG,
        "New signing secret (shown once); the old one signs beside it for graceHours",
      ),
    )
    .input(ZRotateWebhookSecretInput)
    .output(ZWebhookEndpointWithSecretDto)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.domain, input)),
  sendTest: adminProcedure("webhook.write")
    .meta(rest("POST", "/webhook-endpoints/{endpointId}/test", TAG, "Send a test event to this endpoint"))
    .input(ZEndpointIdInput)
    .output(ZWebhookTestResultDto)
    .mutation(({ ctx, input }) => sendWebhookTestEvent(ctx.domain, input)),
  deliveries: adminProcedure("webhook.read")
    .meta(
      rest(
        "GET",
        "/webhook-endpoints/{endpointId}/deliveries",
        TAG,
        "An endpoint's deliveries, newest first",
      ),
    )
    .input(ZListDeliveriesInput)
    .output(zPage(ZWebhookDeliveryDto))
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.domain, input)),
  redeliverFailed: adminProcedure("webhook.write")
    .meta(
      rest(
        "POST",
        "/webhook-endpoints/{endpointId}/redeliver-failed",
        TAG,
        "Send an endpoint's failed deliveries again (at most 10 000 per call)",
      ),
    )
    .input(ZEndpointIdInput)
    .output(ZRedeliverFailedResultDto)
    .mutation(({ ctx, input }) => redeliverFailedWebhooks(ctx.domain, input)),
  attempts: adminProcedure("webhook.read")
    .meta(
      rest("GET", "/webhook-deliveries/{deliveryId}/attempts", TAG, "A delivery's attempts, oldest first"),
    )
    .input(ZDeliveryIdInput)
    .output(z.array(ZWebhookAttemptDto))
    .query(({ ctx, input }) => listWebhookAttempts(ctx.domain, input)),
  redeliver: adminProcedure("webhook.write")
    .meta(rest("POST", "/webhook-deliveries/{deliveryId}/redeliver", TAG, "Send a delivery again now"))
    .input(ZDeliveryIdInput)
    .output(ZWebhookDeliveryDto)
    .mutation(({ ctx, input }) => redeliverWebhook(ctx.domain, input)),
});
