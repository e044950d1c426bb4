// The typed admin client for internal tools: a tRPC client over the server's admin API,
// authenticated with an API key (or a token from POST /api/v1/auth/login).
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { TRPCBuiltRouter, TRPCDefaultErrorShape } from "@trpc/server";
import type { AdminApiRecord } from "./generated/admin-api.ts";

/** What an admin API error carries besides the message (see the server's error formatter). */
export interface AdminErrorData {
  code: string;
  httpStatus: number;
  /** the domain's code: NOT_FOUND, CONFLICT, FORBIDDEN, INVALID_ARGUMENT, ... */
  domainCode?: string | null;
  /** the fields that were wrong, with why */
  fields?: { path: string; message: string }[];
  retryAfterSeconds?: number;
}

/**
 * The admin API as a client sees it: every procedure with its input and output types, generated
 * from the server's router (scripts/generate-admin-api.mjs), so the package's types stand alone.
 */
export type AdminRouter = TRPCBuiltRouter<
  {
    ctx: object;
    meta: object;
    errorShape: Omit<TRPCDefaultErrorShape, "data"> & { data: AdminErrorData };
    transformer: false;
  },
  AdminApiRecord
>;

export interface AdminClientOptions {
  /** the server's base URL, e.g. "https://licenses.example.com" */
  url: string;
  /** an `lsk_...` API key, or a bearer token from sign-in */
  apiKey: string;
  /** a fetch implementation (default: the global one) */
  fetch?: typeof globalThis.fetch;
}

export type AdminClient = ReturnType<typeof createTRPCClient<AdminRouter>>;

/**
 * A client with one method per admin operation, e.g. `client.customers.list.query({ q: "acme" })`
 * or `client.licenses.revoke.mutate({ id })`. Dates arrive as ISO-8601 strings. Failures throw
 * a TRPCClientError whose `data.domainCode` and `data.fields` say what was wrong.
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  return createTRPCClient<AdminRouter>({
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
