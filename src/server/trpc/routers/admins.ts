import { z } from "zod";
import { createAdmin } from "../../core/admins/create-admin.ts";
import { ZCreateAdminInput, ZSetAdminPasswordInput, ZUpdateAdminInput } from "../../core/admins/schemas.ts";
import { getAdmin, ZGetAdminInput } from "../../core/admins/get-admin.ts";
import { listAdmins, ZListAdminsInput } from "../../core/admins/list-admins.ts";
import { ZAdminDto } from "../../core/admins/select.ts";
import { setAdminPassword } from "../../core/admins/set-admin-password.ts";
import { updateAdmin } from "../../core/admins/update-admin.ts";
import { createApiKey } from "../../core/api-keys/create-api-key.ts";
import { ZCreateApiKeyInput } from "../../core/api-keys/schemas.ts";
import { listApiKeys, ZListApiKeysInput } from "../../core/api-keys/list-api-keys.ts";
import { revokeApiKey, ZRevokeApiKeyInput } from "../../core/api-keys/revoke-api-key.ts";
import { ZApiKeyDto } from "../../core/api-keys/select.ts";
import {
  listAuditEvents,
  ZAuditEventDto,
  ZListAuditEventsInput,
} from "../../core/audit/list-audit-events.ts";
import { runningAuditAnchor } from "../../jobs/audit-checkpointer.ts";
import {
  AUDIT_CHAIN_BREAKS,
  verifyAuditChain,
  ZVerifyAuditChainInput,
} from "../../core/audit/verify-audit-chain.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const adminsRouter = router({
  list: adminProcedure("admin.manage")
    .meta(rest("GET", "/admins", "Admins", "List admin accounts"))
    .input(ZListAdminsInput)
    .output(zPage(ZAdminDto))
    .query(({ ctx, input }) => listAdmins(ctx.domain, input)),
  get: adminProcedure("admin.manage")
    .meta(rest("GET", "/admins/{id}", "Admins", "Get an admin account"))
    .input(ZGetAdminInput)
    .output(ZAdminDto)
    .query(({ ctx, input }) => getAdmin(ctx.domain, input)),
  create: adminProcedure("admin.manage")
    .meta(rest("POST", "/admins", "Admins", "Create an admin account"))
    .input(ZCreateAdminInput)
    .output(ZAdminDto)
    .mutation(({ ctx, input }) => createAdmin(ctx.domain, input)),
  update: adminProcedure("admin.manage")
    .meta(rest("PATCH", "/admins/{id}", "Admins", "Change an admin's role, groups or disabled flag"))
    .input(ZUpdateAdminInput)
    .output(ZAdminDto)
    .mutation(({ ctx, input }) => updateAdmin(ctx.domain, input)),
  setPassword: adminProcedure("admin.manage")
    .meta(rest("POST", "/admins/{id}/password", "Admins", "Reset an admin's password"))
    .input(ZSetAdminPasswordInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => setAdminPassword(ctx.domain, input)),
});

export const apiKeysRouter = router({
  list: adminProcedure("api_key.manage")
    .meta(rest("GET", "/api-keys", "API keys", "List your API keys"))
    .input(ZListApiKeysInput)
    .output(zPage(ZApiKeyDto))
    .query(({ ctx, input }) => listApiKeys(ctx.domain, input)),
  create: adminProcedure("api_key.manage")
    .meta(rest("POST", "/api-keys", "API keys", "Create an API key (the key is in this response only)"))
    .input(ZCreateApiKeyInput)
    .output(z.object({ key: z.string(), apiKey: ZApiKeyDto }))
    .mutation(({ ctx, input }) => createApiKey(ctx.domain, input)),
  revoke: adminProcedure("api_key.manage")
    .meta(rest("POST", "/api-keys/{id}/revoke", "API keys", "Revoke an API key"))
    .input(ZRevokeApiKeyInput)
    .output(ZApiKeyDto)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.domain, input)),
});

export const auditRouter = router({
  list: adminProcedure("audit.read")
    .meta(rest("GET", "/audit-events", "Audit log", "Filter the audit log"))
    .input(ZListAuditEventsInput)
    .output(zPage(ZAuditEventDto))
    .query(({ ctx, input }) => listAuditEvents(ctx.domain, input)),
  verify: adminProcedure("audit.verify")
    .meta(
      rest(
        "POST",
        "/audit-events/verify",
        "Audit log",
        "Verify the hash chain and its signed checkpoint; reports the first broken link (below super_admin: only ok/broken)",
      ),
    )
    .input(ZVerifyAuditChainInput)
    .output(
      z.object({
        ok: z.boolean(),
        /** whether a signed checkpoint was compared */
        anchored: z.boolean(),
        /** set for callers below super_admin: nothing about the chain's records */
        summaryOnly: z.literal(true).optional(),
        checked: z.number().int().optional(),
        keyedRecords: z.number().int().optional(),
        legacyRecords: z.number().int().optional(),
        lastSeq: z.number().int().optional(),
        brokenAt: z.number().int().nullable().optional(),
        reason: z.enum(AUDIT_CHAIN_BREAKS).optional(),
        detail: z.string().optional(),
        checkpoint: z
          .object({ seq: z.number().int(), hash: z.string(), at: z.string(), kid: z.string() })
          .nullable()
          .optional(),
        checkpointWrittenAt: z.number().int().nullable().optional(),
        warnings: z.array(z.string()).optional(),
      }),
    )
    .mutation(({ ctx, input }) => verifyAuditChain(ctx.domain, input, runningAuditAnchor())),
});
