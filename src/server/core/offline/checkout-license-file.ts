// Checks out an offline license file (.lic): the license's terms signed with the active key, valid
// for up to the license's offline allowance (and never past its next required check-in: member
// `checkInBy`, see docs/check-ins.md), optionally bound to a machine and encrypted for it.
// The format is the SDK's (sdk/docs/license-file-v1.md); this issues it and records the issuance.
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Prisma } from "../../db/client.ts";
import { createLicenseFile, type LicenseFileContent } from "@license-server/sdk/offline";
import { requirePermission } from "../access/policy.ts";
import { signEd25519 } from "../../crypto/ed25519.ts";
import type { DomainContext } from "../context.ts";
import { failedPrecondition, invalidArgument } from "../errors.ts";
import { licenseEventData } from "../events/payloads.ts";
import type { FeatureKind } from "../features/select.ts";
import { findLicenseInScope } from "../licenses/find-license.ts";
import type { LicenseType, QuotaPeriod } from "../licenses/select.ts";
import { effectiveStatus } from "../licenses/status.ts";
import { nextCheckIn } from "../validation/check-in.ts";
import { ZFingerprint } from "../validation/schemas.ts";
import { mutate } from "../shared/mutate.ts";
import { parseInput } from "../shared/parse-input.ts";
import { ZId } from "../shared/schemas.ts";
import { loadActiveSigner } from "../signing-keys/active-signer.ts";
import { licenseFileDaysFor, MAX_OFFLINE_DAYS, ZLicenseFileDays } from "./schemas.ts";
import { offlineIssuanceSelect, ZOfflineIssuanceDto } from "./select.ts";

const DAY_MS = 86_400_000;
export { MAX_OFFLINE_DAYS };

export const ZCheckoutLicenseFileInput = z
  .object({
    id: ZId,
    /** validity in days from now; default: the license's offline allowance, and never more */
    days: ZLicenseFileDays.optional(),
    /** bind the file to this machine (required for node-locked licenses) */
    fingerprint: ZFingerprint.optional(),
    /** encrypt the payload for the bound machine (needs `fingerprint`) */
    encrypt: z.boolean().default(false),
  })
  .refine((v) => !v.encrypt || v.fingerprint !== undefined, {
    path: ["fingerprint"],
    error: "is required to encrypt the file (the key is derived from it)",
  });
export type TCheckoutLicenseFileInput = z.input<typeof ZCheckoutLicenseFileInput>;

export const ZLicenseFileCheckout = z.object({
  /** a suggested file name, e.g. "acme-cad-20260601-0b3f9a1c.lic" */
  fileName: z.string(),
  /** the file's text (armored, ASCII) */
  content: z.string(),
  issuance: ZOfflineIssuanceDto,
});
export type LicenseFileCheckout = z.infer<typeof ZLicenseFileCheckout>;

const fileLicenseSelect = {
  type: true,
  seatLimit: true,
  offlineAllowanceDays: true,
  checkInIntervalDays: true,
  customer: { select: { id: true, name: true } },
  product: { select: { id: true, code: true, name: true } },
  entitlements: {
    select: {
      quota: true,
      quotaPeriod: true,
      feature: { select: { code: true, name: true, kind: true, unit: true } },
    },
    orderBy: { feature: { code: "asc" } },
  },
} satisfies Prisma.LicenseSelect;

export async function checkoutLicenseFile(
  ctx: DomainContext,
  input: TCheckoutLicenseFileInput,
): Promise<LicenseFileCheckout> {
  requirePermission(ctx.actor, "license.checkout");
  const parsed = parseInput(ZCheckoutLicenseFileInput, input);
  // read before the transaction: it decrypts the key and must not hold SQLite's write lock meanwhile.
  // A rotation in between only means the previous key signs; it stays published, so the file verifies.
  const signer = await loadActiveSigner(ctx.db, ctx.encryptionKey);
  return mutate(ctx, async ({ tx, now, audit, emit }) => {
    const scoped = await findLicenseInScope(tx, ctx.actor, parsed.id);
    const status = effectiveStatus(scoped, now);
    if (status !== "active") {
      throw failedPrecondition(`the license is ${status}; offline files are issued for active licenses only`);
    }
    const license = await tx.license.findUniqueOrThrow({
      where: { id: scoped.id },
      select: fileLicenseSelect,
    });
    const allowance = Math.min(license.offlineAllowanceDays, MAX_OFFLINE_DAYS);
    if (allowance <= 0) {
      throw failedPrecondition(
        "offline files are not allowed for this license (its offline allowance is 0 days)",
      );
    }
    const days = parsed.days ?? allowance;
    // the license's own allowance, worded as the dialog words it
    parseInput(z.object({ days: licenseFileDaysFor(allowance) }), { days });
    if (license.type === "node_locked" && parsed.fingerprint === undefined) {
      throw invalidArgument("fingerprint: a node-locked license's offline file must be bound to a machine", [
        { path: "fingerprint", message: "is required for a node-locked license" },
      ]);
    }
    // never past the license's own expiry nor its next required check-in; not valid before the
    // license starts
    let expiresAt = new Date(now.getTime() + days * DAY_MS);
    if (scoped.expiresAt !== null && scoped.expiresAt < expiresAt) expiresAt = scoped.expiresAt;
    const checkInBy = nextCheckIn(license, now);
    if (checkInBy !== null && checkInBy < expiresAt) expiresAt = checkInBy;
    const notBefore = scoped.startsAt > now ? scoped.startsAt : now;
    if (notBefore >= expiresAt) {
      throw failedPrecondition(
        "the license starts after the file would expire; check it out closer to its start",
      );
    }

    const id = randomUUID();
    const fingerprint = parsed.fingerprint ?? null;
    const payload: LicenseFileContent = {
      id,
      issuedAt: now.toISOString(),
      notBefore: notBefore.toISOString(),
      expiresAt: expiresAt.toISOString(),
      ...(checkInBy === null ? {} : { checkInBy: checkInBy.toISOString() }),
      fingerprint,
      license: {
        id: scoped.id,
        keyHash: createHash("sha256").update(scoped.key).digest("hex"),
        type: license.type as LicenseType,
        seats: license.seatLimit,
        startsAt: scoped.startsAt.toISOString(),
        expiresAt: scoped.expiresAt?.toISOString() ?? null,
      },
      customer: license.customer,
      product: license.product,
      entitlements: license.entitlements.map(({ feature, quota, quotaPeriod }) => ({
        code: feature.code,
        name: feature.name,
        kind: feature.kind as FeatureKind,
        unit: feature.unit,
        quota,
        quotaPeriod: quotaPeriod as QuotaPeriod,
      })),
    };
    const content = await createLicenseFile({
      payload,
      kid: signer.kid,
      sign: (message) => signEd25519(signer.privateKey, Buffer.from(message)),
      encrypt: parsed.encrypt,
    });
    const sha256 = createHash("sha256").update(content).digest("hex");
    const issuance = await tx.offlineIssuance.create({
      data: {
        id,
        licenseId: scoped.id,
        kid: signer.kid,
        fingerprint,
        encrypted: parsed.encrypt,
        issuedAt: now,
        expiresAt,
        issuedBy: ctx.actor.label,
        sha256,
      },
      select: offlineIssuanceSelect,
    });
    audit({
      action: "license.checkout",
      targetType: "license",
      targetId: scoped.id,
      summary: {
        issuanceId: id,
        kid: signer.kid,
        days,
        expiresAt: expiresAt.toISOString(),
        ...(checkInBy === null ? {} : { checkInBy: checkInBy.toISOString() }),
        fingerprint,
        encrypted: parsed.encrypt,
        sha256,
      },
    });
    emit({
      type: "offline_file.issued",
      licenseId: scoped.id,
      data: {
        license: await licenseEventData(tx, scoped.id, now),
        file: {
          id,
          kid: signer.kid,
          fingerprint,
          encrypted: parsed.encrypt,
          issuedAt: now.toISOString(),
          expiresAt: expiresAt.toISOString(),
          sha256,
        },
      },
    });
    const stamp = now.toISOString().slice(0, 10).replaceAll("-", "");
    return { fileName: `${license.product.code}-${stamp}-${id.slice(0, 8)}.lic`, content, issuance };
  });
}
