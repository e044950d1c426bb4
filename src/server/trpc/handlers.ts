// Fetch-API handlers for both faces of the admin API; the Next route files only pass requests in.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { clientIp, createApiContext, type ApiServices } from "./context.ts";
import { domainCause } from "./errors.ts";
import { appRouter } from "./router.ts";

/** Retry-After on rate-limited answers. */
function responseMeta({ errors }: { errors: readonly { cause?: unknown }[] }) {
  for (const error of errors) {
    const seconds =
      error instanceof Error && "code" in error ? domainCause(error as never)?.retryAfterSeconds : undefined;
    if (seconds !== undefined) return { headers: { "retry-after": String(seconds) } };
  }
  return {};
}

export function handleTrpcRequest(req: Request, services: ApiServices): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createApiContext(services, req.headers, clientIp(services, req.headers), req.method),
    responseMeta,
  });
}

export function handleRestRequest(req: Request, services: ApiServices): Promise<Response> {
  return createOpenApiFetchHandler({
    endpoint: "/api/v1",
    req,
    router: appRouter,
    createContext: () => createApiContext(services, req.headers, clientIp(services, req.headers), req.method),
    responseMeta,
  });
}
