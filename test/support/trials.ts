// A product with a live trial policy (made with Prisma directly: the policy operations are
// another area's), for the trials tests.
import { makeCustomer, makeGroup, makeProduct } from "./fixtures.ts";
import type { TestDb } from "./db.ts";

export interface TrialPolicyTerms {
  machineMatching?: "fingerprint" | "any" | "most" | "all";
  durationDays?: number | null;
  checkInIntervalDays?: number | null;
}

export async function makeTrialProduct(db: TestDb, terms: TrialPolicyTerms = {}) {
  const group = await makeGroup(db);
  const { product, features } = await makeProduct(db);
  const trialCustomer = await makeCustomer(db, group.id);
  const policy = await db.handle.db.policy.create({
    data: {
      productId: product.id,
      name: "Trial",
      kind: "trial",
      type: "node_locked",
      seatLimit: 1,
      durationDays: terms.durationDays === undefined ? 14 : terms.durationDays,
      heartbeatIntervalSeconds: 300,
      gracePeriodHours: 24,
      offlineAllowanceDays: 0,
      checkInIntervalDays: terms.checkInIntervalDays ?? null,
      machineMatching: terms.machineMatching ?? "fingerprint",
      trialCustomerId: trialCustomer.id,
      entitlements: {
        create: [
          { featureId: features.exportPdf.id },
          { featureId: features.apiCalls.id, quota: 50, quotaPeriod: "total" },
        ],
      },
    },
    select: { id: true, name: true },
  });
  const standard = await db.handle.db.policy.create({
    data: {
      productId: product.id,
      name: "Pro",
      kind: "standard",
      type: "node_locked",
      seatLimit: 2,
      durationDays: 365,
      heartbeatIntervalSeconds: 600,
      gracePeriodHours: 72,
      offlineAllowanceDays: 30,
      entitlements: { create: [{ featureId: features.exportPdf.id }] },
    },
    select: { id: true, name: true },
  });
  return { group, product, features, trialCustomer, policy, standard };
}

/** The components as the SDK sends them. */
export const components = (values: Record<string, string>) =>
  Object.entries(values).map(([kind, hash]) => ({ kind, hash }));
