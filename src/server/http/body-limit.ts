// Request body limits for the web routes. Next's app-router route handlers read bodies without a
// limit, so every route that takes a body goes through here first: a declared Content-Length over
// the limit is refused before a byte is read, and a body without one (chunked) is counted as it
// streams and refused as soon as it passes the limit. Nothing beyond the limit is buffered; the
// answer closes the connection, so the rest of the upload is not read either.

/** A body over its route's limit (HTTP 413). */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** The declared length when it is over `limit`; null otherwise (also when there is none). */
function declaredOver(req: Request, limit: number): boolean {
  const declared = req.headers.get("content-length");
  if (declared === null) return false;
  const n = Number(declared);
  return !Number.isFinite(n) || n > limit;
}

function hasBody(req: Request): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && req.body !== null;
}

/**
 * The body as a stream that errors with `tooLarge()` once more than `limit` bytes came (at once
 * when Content-Length says so). The source is read only as fast as the consumer reads.
 */
export function limitedBodyStream(
  req: Request,
  limit: number,
  tooLarge: () => Error = () => new BodyTooLargeError(limit),
): ReadableStream<Uint8Array> | null {
  if (!hasBody(req) || !req.body) return null;
  const source = req.body;
  if (declaredOver(req, limit)) {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(tooLarge());
      },
    });
  }
  const reader = source.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += value.byteLength;
      if (seen > limit) {
        // stop reading: the answer (413, Connection: close) ends the connection
        reader.releaseLock();
        controller.error(tooLarge());
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** A copy of `req` whose body is limited as `limitedBodyStream` does (GET/HEAD: `req` itself). */
export function withLimitedBody(req: Request, limit: number, tooLarge?: () => Error): Request {
  const body = limitedBodyStream(req, limit, tooLarge);
  if (!body) return req;
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body,
    signal: req.signal,
    // a streamed request body (undici wants it said)
    duplex: "half",
  } as RequestInit);
}

/** The whole body (at most `limit` bytes), or BodyTooLargeError. GET/HEAD: empty. */
export async function readLimitedBody(req: Request, limit: number): Promise<Uint8Array> {
  const body = limitedBodyStream(req, limit);
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** `readLimitedBody` as UTF-8 text. */
export async function readLimitedText(req: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readLimitedBody(req, limit));
}
