// The REST twin of license.v1.LicenseService for clients that cannot speak gRPC:
//   POST /api/v1/client/<operation>   (validate, activate, heartbeat, deactivate,
//                                      get-entitlements, record-usage, get-public-keys,
//                                      start-trial)
// Bodies and answers are the contract's messages in the proto3 JSON mapping (lowerCamelCase
// names, enum names, RFC 3339 times, bytes in base64); the same operations run behind both
// transports. A 200 answer is signed: `License-Signature` covers the body's exact bytes
// (sdk/docs/signed-answers-v1.md). Errors are
// `{ code, message, fields }` with the domain's code and its HTTP status; every answer carries
// rate-limit headers.
import { DomainError, invalidArgument, toDomainError } from "../core/errors.ts";
import { HTTP_STATUS } from "./http-status.ts";
import { clientOperations, type ClientOperation, type ClientOperationName } from "./operations.ts";
import type { RateState } from "./rate-limit.ts";
import { runClientOperation, type LicensingServices } from "./licensing-services.ts";
import { ANSWER_SIGNATURE_HEADER } from "@license-server/sdk";
import type { AnswerBinding } from "../../generated/proto/license/v1/license.ts";
import { requestFromJson } from "./request-json.ts";
import { sealJson, type BindableRequest } from "./signed-answers.ts";
import { BodyTooLargeError, readLimitedText } from "../http/body-limit.ts";

const ROUTES: Record<string, ClientOperationName> = {
  validate: "validate",
  activate: "activate",
  heartbeat: "heartbeat",
  deactivate: "deactivate",
  "get-entitlements": "getEntitlements",
  "record-usage": "recordUsage",
  "get-public-keys": "getPublicKeys",
  "start-trial": "startTrial",
};
export const CLIENT_REST_ROUTES = Object.keys(ROUTES);

/** The default body limit (CLIENT_API_MAX_BODY_BYTES); larger bodies get 413 before they are read. */
export const CLIENT_MAX_BODY_BYTES = 64 * 1024;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

function rateHeaders(state: RateState | null): Record<string, string> {
  if (!state) return {};
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-reset": String(state.resetSeconds),
  };
}

async function readBody(req: Request, maxBodyBytes: number): Promise<Record<string, unknown>> {
  // GET get-public-keys: the nonce comes in the query (?nonce=<base64>)
  if (req.method === "GET") {
    const nonce = new URL(req.url).searchParams.get("nonce");
    return nonce === null ? {} : { nonce: nonce.slice(0, 200) };
  }
  // at most maxBodyBytes are read, also without a Content-Length (src/server/http/body-limit.ts)
  const text = await readLimitedText(req, maxBodyBytes);
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidArgument("the body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

export async function handleClientRestRequest(
  req: Request,
  services: LicensingServices,
  route: string,
  ip: string,
  maxBodyBytes = CLIENT_MAX_BODY_BYTES,
): Promise<Response> {
  const name = Object.hasOwn(ROUTES, route) ? ROUTES[route] : undefined;
  if (!name) {
    return json(404, {
      code: "NOT_FOUND",
      message: `no licensing operation ${route}; the operations are ${CLIENT_REST_ROUTES.join(", ")}`,
      fields: [],
    });
  }
  if (req.method !== "POST" && !(req.method === "GET" && name === "getPublicKeys")) {
    return json(
      405,
      { code: "METHOD_NOT_ALLOWED", message: `use POST for ${route}`, fields: [] },
      { allow: name === "getPublicKeys" ? "GET, POST" : "POST" },
    );
  }
  const op = clientOperations[name] as unknown as ClientOperation<
    BindableRequest,
    { binding?: AnswerBinding }
  >;
  let state: RateState | null = null;
  try {
    const body = await readBody(req, maxBodyBytes);
    const request = requestFromJson(op.request, body);
    const response = await runClientOperation(services, op, request, ip, (rate) => {
      state = rate;
    });
    // the body is signed as sent: clients verify these bytes, then parse them
    const sealed = sealJson(await services.signer(), JSON.stringify(op.response.toJSON(response)));
    return new Response(sealed.body, {
      status: 200,
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
        [ANSWER_SIGNATURE_HEADER]: sealed.signature,
        ...rateHeaders(state),
      },
    });
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      // the caller's mistake, as before (INVALID_ARGUMENT), with the status that says which one;
      // the connection closes (src/server/http/api-route.ts), the rest of the body is not read
      return json(
        413,
        { code: "INVALID_ARGUMENT", message: error.message, fields: [] },
        { ...rateHeaders(state), connection: "close" },
      );
    }
    const domain = toDomainError(error);
    if (domain.code === "INTERNAL") {
      services.logger.error({ err: error, route }, "licensing REST call failed");
      return json(500, { code: "INTERNAL", message: "internal error", fields: [] });
    }
    return json(
      HTTP_STATUS[domain.code],
      { code: domain.code, message: domain.message, fields: domain.fields },
      {
        ...rateHeaders(state),
        ...(domain instanceof DomainError && domain.retryAfterSeconds !== undefined
          ? { "retry-after": String(domain.retryAfterSeconds) }
          : {}),
      },
    );
  }
}
