import semver from "semver";
import { z } from "zod";
import { requirePermission } from "../access/policy.ts";
import type { DomainContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { releaseSelect, toReleaseDto, type ReleaseDto } from "./select.ts";

export const ZListReleasesInput = z.object({ productId: ZId });
export type TListReleasesInput = z.input<typeof ZListReleasesInput>;

/** A product's releases, newest version first (by semver, not by date). */
export async function listReleases(ctx: DomainContext, input: TListReleasesInput): Promise<ReleaseDto[]> {
  requirePermission(ctx.actor, "release.read");
  const { productId } = parseInput(ZListReleasesInput, input);
  const [product, rows] = await Promise.all([
    ctx.db.product.findUnique({ where: { id: productId }, select: { id: true } }),
    ctx.db.release.findMany({ where: { productId }, select: releaseSelect }),
  ]);
  if (!product) throw notFound("product", productId);
  return rows.sort((a, b) => semver.rcompare(a.version, b.version)).map(toReleaseDto);
}
