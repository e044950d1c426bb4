import { router } from "./init.ts";
import { lockInputCoercion } from "./lock-coercion.ts";
import { adminsRouter, apiKeysRouter, auditRouter } from "./routers/admins.ts";
import { featuresRouter, productsRouter } from "./routers/catalog.ts";
import { customersRouter } from "./routers/customers.ts";
import { dashboardRouter } from "./routers/dashboard.ts";
import { groupsRouter } from "./routers/groups.ts";
import { licensesRouter } from "./routers/licenses.ts";
import { offlineRouter } from "./routers/offline.ts";
import { policiesRouter } from "./routers/policies.ts";
import { releasesRouter } from "./routers/releases.ts";
import { searchRouter } from "./routers/search.ts";
import { machinesRouter, sessionsRouter, usageRouter } from "./routers/sessions.ts";
import { signingKeysRouter } from "./routers/signing-keys.ts";
import { trialsRouter } from "./routers/trials.ts";
import { eventsRouter } from "./routers/events.ts";
import { webhooksRouter } from "./routers/webhooks.ts";
import { authRouter, profileRouter, settingsRouter } from "./routers/profile.ts";

/** The admin API: tRPC at /api/trpc, and the same procedures as REST under /api/v1. */
export const appRouter = lockInputCoercion(
  router({
    auth: authRouter,
    profile: profileRouter,
    settings: settingsRouter,
    products: productsRouter,
    features: featuresRouter,
    releases: releasesRouter,
    groups: groupsRouter,
    customers: customersRouter,
    licenses: licensesRouter,
    policies: policiesRouter,
    offline: offlineRouter,
    admins: adminsRouter,
    apiKeys: apiKeysRouter,
    audit: auditRouter,
    signingKeys: signingKeysRouter,
    sessions: sessionsRouter,
    machines: machinesRouter,
    usage: usageRouter,
    dashboard: dashboardRouter,
    trials: trialsRouter,
    webhooks: webhooksRouter,
    events: eventsRouter,
    search: searchRouter,
  }),
);

export type AppRouter = typeof appRouter;
