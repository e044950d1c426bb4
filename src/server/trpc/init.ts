import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { PERMISSIONS, roleAtLeast, type Permission } from "../core/access/policy.ts";
import { ZodError } from "zod";
import type { Actor, DomainContext } from "../core/context.ts";
import { DomainError } from "../core/errors.ts";
import { invalidInput } from "../core/shared/parse-input.ts";
import { domainContext, type ApiContext } from "./context.ts";
import { domainCause, toTrpcError } from "./errors.ts";

const t = initTRPC
  .context<ApiContext>()
  .meta<OpenApiMeta>()
  .create({
    // never a stack trace in a response
    isDev: false,
    errorFormatter({ shape, error }) {
      const domain = domainCause(error);
      if (error.code === "INTERNAL_SERVER_ERROR") {
        return {
          ...shape,
          message: "internal error",
          data: { code: shape.data.code, httpStatus: shape.data.httpStatus },
        };
      }
      return {
        ...shape,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          domainCode: domain?.code ?? null,
          fields: domain?.fields ?? [],
          ...(domain?.retryAfterSeconds !== undefined ? { retryAfterSeconds: domain.retryAfterSeconds } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Maps what the procedures below throw: domain errors to their codes, the input parser's Zod
 * errors to the domain's INVALID_ARGUMENT (same message and fields as the domain gives), anything
 * unexpected to a logged INTERNAL error. tRPC's own errors (UNAUTHORIZED ...) pass as they are.
 */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const { cause } = result.error;
  if (cause instanceof ZodError) throw toTrpcError(invalidInput(cause));
  if (cause instanceof DomainError || result.error.code === "INTERNAL_SERVER_ERROR") {
    const mapped = toTrpcError(cause ?? result.error);
    if (mapped.code === "INTERNAL_SERVER_ERROR")
      ctx.services.logger.error({ err: cause ?? result.error, path }, "request failed");
    throw mapped;
  }
  return result;
});

/** Anyone: sign-in, health. */
export const publicProcedure = t.procedure.use(mapErrors);

/** Any signed-in caller (admin session, JWT or API key); ctx.domain acts as them. */
export const actorProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) {
    // a genuine credential refused for a stated reason (an API key blocked by "require 2FA"): 403
    if (ctx.authError instanceof DomainError && ctx.authError.code === "FORBIDDEN") throw ctx.authError;
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: ctx.authError?.message ?? "sign in or send Authorization: Bearer <token or API key>",
    });
  }
  const actor: Actor = ctx.actor;
  const domain: DomainContext = domainContext(ctx, actor);
  return next({ ctx: { ...ctx, actor, domain } });
});

/**
 * Callers whose role grants `permission` in the domain's table (`PERMISSIONS` in
 * core/access/policy.ts, which the UI reads too). The domain checks again, with groups: this only
 * refuses early, so a procedure never names a role itself.
 */
export const adminProcedure = (permission: Permission) =>
  actorProcedure.use(({ ctx, next }) => {
    const role = PERMISSIONS[permission];
    if (!roleAtLeast(ctx.actor.role, role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `needs role ${role} or higher` });
    }
    return next();
  });
