// The groups' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZDescription, ZId, ZName } from "../shared/schemas.ts";

export const ZCreateGroupInput = z.object({
  name: ZName,
  description: ZDescription.default(""),
});
export type TCreateGroupInput = z.input<typeof ZCreateGroupInput>;

export const ZUpdateGroupInput = z.object({
  id: ZId,
  name: ZName.optional(),
  description: ZDescription.optional(),
});
export type TUpdateGroupInput = z.input<typeof ZUpdateGroupInput>;
