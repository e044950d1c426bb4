// The API keys' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZGroupIds, ZRole } from "../admins/schemas.ts";
import { ZDateTime, ZName } from "../shared/schemas.ts";

export const ZCreateApiKeyInput = z.object({
  name: ZName,
  /** no higher than the creator's own role */
  role: ZRole,
  /** limits the key to these groups (a subset of the creator's); empty: the creator's groups */
  groupIds: ZGroupIds.default([]),
  expiresAt: ZDateTime.nullable().default(null),
});
export type TCreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;
