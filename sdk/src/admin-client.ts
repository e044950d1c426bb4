// The typed admin client for internal tools: a tRPC client over the server's admin API,
// authenticated with an API key (or a token from POST /api/v1/auth/login).
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/server/trpc/router.ts";

export interface AdminClientOptions {
  /** the server's base URL, e.g. "https://licenses.example.com" */
  url: string;
  /** an `lsk_...` API key, or a bearer token from sign-in */
  apiKey: string;
  /** a fetch implementation (default: the global one) */
  fetch?: typeof globalThis.fetch;
}

export type AdminClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/**
 * A client with one method per admin operation, e.g. `client.customers.list.query({ q: "acme" })`
 * or `client.licenses.revoke.mutate({ id })`. Dates arrive as ISO-8601 strings. Failures throw
 * a TRPCClientError whose `data.domainCode` and `data.fields` say what was wrong.
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL("/api/trpc", options.url).toString(),
        headers: () => ({ authorization: `Bearer ${options.apiKey}` }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}

export { TRPCClientError as AdminClientError };
