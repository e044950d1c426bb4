// One HTTP attempt of a webhook delivery: a POST signed as Standard Webhooks, to a vetted address,
// within a time limit, without following redirects, reading at most RESPONSE_EXCERPT_BYTES of the
// answer. Never throws: every way an attempt can go wrong comes back as `error`.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import { guardedLookup, literalTargetProblem } from "./target-guard.ts";

/** How much of an answer's body is read and kept in the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 1024;
export const WEBHOOK_USER_AGENT = "license-server-webhooks/1";
const MAX_ERROR_CHARS = 500;

/** What a delivery sends: the body is the same on every attempt. */
export interface WebhookMessage {
  /** the event's id: `webhook-id` */
  id: string;
  body: string;
}

export interface WebhookTarget {
  url: string;
  /** the current secret, and the previous one while its grace window lasts */
  secrets: readonly string[];
}

export interface AttemptResult {
  /** 2xx within the time limit */
  ok: boolean;
  /** null: no HTTP answer (refused, timed out, blocked address, ...) */
  statusCode: number | null;
  latencyMs: number;
  /** the start of the answer's body (at most RESPONSE_EXCERPT_BYTES, as text) */
  excerpt: string;
  error: string | null;
}

/** The Standard Webhooks `webhook-signature` header: one `v1,` signature per secret. */
export function signatureHeader(secrets: readonly string[], id: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(" ");
}

/** Text safe to store (PostgreSQL refuses NUL in text) and bounded. */
function storable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\u0000/g, "");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /** the attempt's time: `webhook-timestamp` */
  now: Date;
}

export function postWebhook(
  target: WebhookTarget,
  message: WebhookMessage,
  options: PostOptions,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string, statusCode: number | null = null, excerpt = ""): AttemptResult => ({
    ok: false,
    statusCode,
    latencyMs: elapsed(),
    excerpt,
    error: storable(error, MAX_ERROR_CHARS),
  });

  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return Promise.resolve(fail("the endpoint's URL is not a URL"));
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return Promise.resolve(fail(`the endpoint's URL must be http(s), not ${url.protocol}`));
  // connections to an IP literal skip the lookup: vet it here (names are vetted by guardedLookup)
  const literal = literalTargetProblem(target.url, options.allowPrivateTargets);
  if (literal) return Promise.resolve(fail(literal));

  const body = Buffer.from(message.body, "utf8");
  const headers = {
    "content-type": "application/json",
    "content-length": String(body.length),
    "user-agent": WEBHOOK_USER_AGENT,
    "webhook-id": message.id,
    "webhook-timestamp": String(Math.floor(options.now.getTime() / 1000)),
    "webhook-signature": signatureHeader(target.secrets, message.id, options.now, message.body),
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;

  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(url, {
      method: "POST",
      headers,
      // a fresh connection per attempt, so every connection's addresses go through the lookup
      agent: false,
      lookup: guardedLookup(options.allowPrivateTargets),
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    req.on("error", (error) => {
      settle(fail(describeError(error)));
    });
    req.on("response", (res: IncomingMessage) => {
      const statusCode = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        const excerpt = storable(
          Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8"),
          RESPONSE_EXCERPT_BYTES,
        );
        res.destroy();
        if (statusCode >= 200 && statusCode < 300)
          settle({ ok: true, statusCode, latencyMs: elapsed(), excerpt, error: null });
        else if (statusCode >= 300 && statusCode < 400) {
          const location = res.headers.location;
          settle(
            fail(
              `answered ${statusCode}${location ? ` (a redirect to ${location})` : ""}: redirects are not followed`,
              statusCode,
              excerpt,
            ),
          );
        } else settle(fail(`answered ${statusCode}, not 2xx`, statusCode, excerpt));
      };
      res.on("data", (chunk: Buffer) => {
        if (size >= RESPONSE_EXCERPT_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
        // enough for the log: the rest of a large answer is not read
        if (size >= RESPONSE_EXCERPT_BYTES) finish();
      });
      res.on("end", finish);
      res.on("error", finish);
      res.on("close", finish);
    });
    req.end(body);
  });
}
