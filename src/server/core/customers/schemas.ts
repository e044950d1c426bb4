// The customers' input schemas, free of server code: the admin UI's forms use them too.
import { z } from "zod";
import { ZId, ZMetadata, ZName } from "../shared/schemas.ts";

export const ZCustomerFields = {
  name: ZName,
  email: z.email().max(254).nullable(),
  company: z.string().trim().max(200),
  notes: z.string().trim().max(10_000),
  groupId: ZId,
  metadata: ZMetadata,
};

export const ZCreateCustomerInput = z.object({
  ...ZCustomerFields,
  email: ZCustomerFields.email.default(null),
  company: ZCustomerFields.company.default(""),
  notes: ZCustomerFields.notes.default(""),
  metadata: ZCustomerFields.metadata.default({}),
});
export type TCreateCustomerInput = z.input<typeof ZCreateCustomerInput>;

export const ZUpdateCustomerInput = z.object({
  id: ZId,
  name: ZCustomerFields.name.optional(),
  email: ZCustomerFields.email.optional(),
  company: ZCustomerFields.company.optional(),
  notes: ZCustomerFields.notes.optional(),
  /** moves the customer (and its licenses) to another group; needs membership of both */
  groupId: ZCustomerFields.groupId.optional(),
  metadata: ZCustomerFields.metadata.optional(),
});
export type TUpdateCustomerInput = z.input<typeof ZUpdateCustomerInput>;
