import { z } from "zod";
import { deleteRelease, ZDeleteReleaseInput } from "../../core/releases/delete-release.ts";
import { listReleases, ZListReleasesInput } from "../../core/releases/list-releases.ts";
import { publishRelease } from "../../core/releases/publish-release.ts";
import { ZPublishReleaseInput } from "../../core/releases/schemas.ts";
import { ZReleaseDto } from "../../core/releases/select.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";
import { ZDeleted } from "./catalog.ts";

export const releasesRouter = router({
  list: adminProcedure("release.read")
    .meta(
      rest(
        "GET",
        "/products/{productId}/releases",
        "Releases",
        "List a product's releases, newest version first",
      ),
    )
    .input(ZListReleasesInput)
    .output(z.array(ZReleaseDto))
    .query(({ ctx, input }) => listReleases(ctx.domain, input)),
  publish: adminProcedure("release.write")
    .meta(rest("POST", "/products/{productId}/releases", "Releases", "Publish a release of a product"))
    .input(ZPublishReleaseInput)
    .output(ZReleaseDto)
    .mutation(({ ctx, input }) => publishRelease(ctx.domain, input)),
  delete: adminProcedure("release.write")
    .meta(rest("DELETE", "/releases/{id}", "Releases", "Delete a release"))
    .input(ZDeleteReleaseInput)
    .output(ZDeleted)
    .mutation(({ ctx, input }) => deleteRelease(ctx.domain, input)),
});
