// The license file's payload (version 1): its members in the documented order, and the check that
// a decoded payload has every member with the right type.
import { LICENSE_FILE_VERSION, type LicenseFilePayload } from "./format.ts";

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** The payload with its members in the documented order (the order is not required, only tidy). */
export function payloadInOrder(p: LicenseFilePayload): LicenseFilePayload {
  return {
    v: p.v,
    id: p.id,
    kid: p.kid,
    issuedAt: p.issuedAt,
    notBefore: p.notBefore,
    expiresAt: p.expiresAt,
    ...(p.checkInBy === undefined ? {} : { checkInBy: p.checkInBy }),
    fingerprint: p.fingerprint,
    license: {
      id: p.license.id,
      keyHash: p.license.keyHash,
      type: p.license.type,
      seats: p.license.seats,
      startsAt: p.license.startsAt,
      expiresAt: p.license.expiresAt,
    },
    customer: { id: p.customer.id, name: p.customer.name },
    product: { id: p.product.id, code: p.product.code, name: p.product.name },
    entitlements: p.entitlements.map((e) => ({
      code: e.code,
      name: e.name,
      kind: e.kind,
      unit: e.unit,
      quota: e.quota,
      quotaPeriod: e.quotaPeriod,
    })),
  };
}

/**
 * The payload if it has every member of version 1 with the right type, and the optional ones
 * (`checkInBy`) absent or right (unknown members are ignored).
 */
export function checkPayload(value: unknown): LicenseFilePayload | "MALFORMED" | "UNSUPPORTED" {
  if (!isRecord(value)) return "MALFORMED";
  if (typeof value.v !== "number") return "MALFORMED";
  if (value.v !== LICENSE_FILE_VERSION) return "UNSUPPORTED";
  const { license, customer, product, entitlements } = value;
  const ok =
    isString(value.id) &&
    isString(value.kid) &&
    isTimestamp(value.issuedAt) &&
    isTimestamp(value.notBefore) &&
    isTimestamp(value.expiresAt) &&
    (value.checkInBy === undefined || isTimestamp(value.checkInBy)) &&
    (value.fingerprint === null || isString(value.fingerprint)) &&
    isRecord(license) &&
    isString(license.id) &&
    typeof license.keyHash === "string" &&
    /^[0-9a-f]{64}$/.test(license.keyHash) &&
    (license.type === "floating" || license.type === "node_locked") &&
    isCount(license.seats) &&
    isTimestamp(license.startsAt) &&
    (license.expiresAt === null || isTimestamp(license.expiresAt)) &&
    isRecord(customer) &&
    isString(customer.id) &&
    isString(customer.name) &&
    isRecord(product) &&
    isString(product.id) &&
    isString(product.code) &&
    isString(product.name) &&
    Array.isArray(entitlements) &&
    entitlements.every(
      (e) =>
        isRecord(e) &&
        isString(e.code) &&
        isString(e.name) &&
        (e.kind === "boolean" || e.kind === "metered") &&
        (e.unit === null || typeof e.unit === "string") &&
        (e.quota === null || isCount(e.quota)) &&
        (e.quotaPeriod === "total" || e.quotaPeriod === "day" || e.quotaPeriod === "month"),
    ) &&
    Date.parse(value.notBefore) < Date.parse(value.expiresAt);
  return ok ? (value as unknown as LicenseFilePayload) : "MALFORMED";
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isTimestamp = (value: unknown): value is string =>
  typeof value === "string" && TIMESTAMP_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
