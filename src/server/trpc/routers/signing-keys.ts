import { z } from "zod";
import { listSigningKeys, ZListSigningKeysInput } from "../../core/signing-keys/list-signing-keys.ts";
import { retireSigningKey, ZRetireSigningKeyInput } from "../../core/signing-keys/retire-signing-key.ts";
import { rotateSigningKey } from "../../core/signing-keys/rotate-signing-key.ts";
import { ZSigningKeyDto } from "../../core/signing-keys/select.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const signingKeysRouter = router({
  list: adminProcedure("signing_key.read")
    .meta(rest("GET", "/signing-keys", "Signing keys", "The keyring (active, published, optionally retired)"))
    .input(ZListSigningKeysInput)
    .output(z.array(ZSigningKeyDto))
    .query(({ ctx, input }) => listSigningKeys(ctx.domain, input)),
  rotate: adminProcedure("signing_key.manage")
    .meta(
      rest(
        "POST",
        "/signing-keys/rotate",
        "Signing keys",
        "Make a new signing key; the old one stays published",
      ),
    )
    .input(z.object({}))
    .output(ZSigningKeyDto)
    .mutation(({ ctx }) => rotateSigningKey(ctx.domain)),
  retire: adminProcedure("signing_key.manage")
    .meta(
      rest("POST", "/signing-keys/{kid}/retire", "Signing keys", "Remove a published key from the keyring"),
    )
    .input(ZRetireSigningKeyInput)
    .output(ZSigningKeyDto)
    .mutation(({ ctx, input }) => retireSigningKey(ctx.domain, input)),
});
