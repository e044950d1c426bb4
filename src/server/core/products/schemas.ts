// The products' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZCode, ZDescription, ZName } from "../shared/schemas.ts";

export const ZCreateProductInput = z.object({
  code: ZCode,
  name: ZName,
  description: ZDescription.default(""),
});
export type TCreateProductInput = z.input<typeof ZCreateProductInput>;
