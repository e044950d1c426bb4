// The real client address of a request, the one every per-address limit and audit record uses
// (sign-in limits, the admin API, tRPC, the licensing API over REST and gRPC).
//
// It starts from the socket's address, which a client cannot choose. X-Forwarded-For is believed
// only as far as TRUST_PROXY says: `false` (the default) ignores it; a hop count N trusts the N
// proxies nearest to us (the socket and the N-1 right-most hops), so the address is the hop the
// last trusted proxy appended; a list of proxy addresses/CIDRs trusts exactly those. Walking from
// the right is what makes this hold: a client can put anything at the left of the header, but it
// cannot change what our own proxy appends. The walk is proxy-addr's (Express's "trust proxy").
//
// Where the socket address comes from in the web app: Next's route handlers see a Fetch Request,
// which has no socket. The launcher preloads scripts/lib/peer-stamp.mjs into the web app's
// process (`node --import`); it sees every request before Next does (node:diagnostics_channel
// "http.server.request.start"), DELETES any copy of PEER_HEADER the client sent, and sets it to
// `socket.remoteAddress`. The app reads that header only when the preload says it runs in this
// process (PEER_STAMP_FLAG on globalThis); otherwise the header may be the client's own and is
// ignored. Next itself fills X-Forwarded-For with the socket address only when the client did not
// send one, so that header can never stand in for the socket.
import { isIPv4, isIPv6 } from "node:net";
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

/** TRUST_PROXY, parsed: no proxy, a hop count, or the proxies' addresses/CIDRs/range names. */
export type TrustProxy = false | number | readonly string[];

/** The private header the preload stamps the socket address into (scripts/lib/peer-stamp.mjs). */
export const PEER_HEADER = "x-license-server-peer";
/** Set on globalThis by the preload, in the process whose requests it stamps. */
export const PEER_STAMP_FLAG = Symbol.for("license-server.peer-stamp");

/** An address no socket can have: requests whose origin is not known share one count. */
export const UNKNOWN_ADDRESS = "unknown";

const MAX_HOPS = 32;
const RANGE_NAMES = ["loopback", "linklocal", "uniquelocal"];

export class TrustProxyError extends Error {
  override name = "TrustProxyError";
}

/**
 * Reads TRUST_PROXY as given in the environment (a string) or the JSON config file (a boolean, a
 * number, a string or an array of strings). Throws TrustProxyError saying what is wrong.
 */
export function parseTrustProxy(value: unknown): TrustProxy {
  if (value === undefined || value === null || value === false || value === 0) return false;
  if (value === true || (typeof value === "string" && value.trim().toLowerCase() === "true")) {
    throw new TrustProxyError(
      "true would believe any X-Forwarded-For a client sends; give the number of proxies in front (1, 2) or their addresses",
    );
  }
  if (typeof value === "number") return hops(value);
  let entries: string[];
  if (typeof value === "string") {
    const text = value.trim();
    if (text.toLowerCase() === "false" || text === "0") return false;
    if (/^\d+$/.test(text)) return hops(Number(text));
    entries = text.split(",");
  } else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    entries = value;
  } else {
    throw new TrustProxyError("must be false, a number of proxies, or a list of proxy addresses/CIDRs");
  }
  const list = entries.map((entry) => entry.trim());
  if (list.length === 0 || list.some((entry) => entry === "")) {
    throw new TrustProxyError("has an empty entry; separate proxy addresses/CIDRs with single commas");
  }
  for (const entry of list) {
    if (RANGE_NAMES.includes(entry)) continue;
    try {
      proxyaddr.compile(entry);
    } catch {
      throw new TrustProxyError(
        `${JSON.stringify(entry)} is not an IP address, a CIDR range or one of ${RANGE_NAMES.join(", ")}`,
      );
    }
  }
  return list;
}

function hops(count: number): TrustProxy {
  if (!Number.isInteger(count) || count < 0 || count > MAX_HOPS) {
    throw new TrustProxyError(`a number of proxies must be a whole number from 0 to ${MAX_HOPS}`);
  }
  return count === 0 ? false : count;
}

type TrustFn = (address: string, hop: number) => boolean;
const compiled = new Map<string, TrustFn>();

function trustFunction(trust: TrustProxy): TrustFn {
  if (trust === false) return () => false;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  const cacheKey = trust.join(",");
  let fn = compiled.get(cacheKey);
  if (!fn) {
    fn = proxyaddr.compile([...trust]);
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/**
 * One spelling per address, so that every transport counts a client under the same key: IPv6 in
 * its RFC 5952 form (lower case, zeros compressed) and IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what
 * a dual-stack socket reports for an IPv4 client) as plain IPv4. Anything else is kept as it is
 * (a Unix socket path), cut to a sane length.
 */
export function normalizeAddress(address: string): string {
  let text = address.trim();
  const bracketed = /^\[([^\]]+)\]$/.exec(text);
  if (bracketed?.[1]) text = bracketed[1];
  if (isIPv4(text)) return text;
  if (isIPv6(text)) {
    let canonical: string;
    try {
      // WHATWG URL serialises IPv6 hosts in the RFC 5952 form
      canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      return text.toLowerCase(); // a zone id (fe80::1%eth0) is not allowed in URLs
    }
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mapped?.[1] && mapped[2]) {
      const high = parseInt(mapped[1], 16);
      const low = parseInt(mapped[2], 16);
      return [high >> 8, high & 255, low >> 8, low & 255].join(".");
    }
    return canonical;
  }
  return text === "" ? UNKNOWN_ADDRESS : text.slice(0, 200);
}

/**
 * The client's address from the socket's address and the X-Forwarded-For value(s), under
 * TRUST_PROXY. Without a socket address nothing in the headers is believed.
 */
export function clientAddress(
  socketAddress: string | null | undefined,
  forwardedFor: string | readonly string[] | null | undefined,
  trust: TrustProxy,
): string {
  if (!socketAddress) return UNKNOWN_ADDRESS;
  if (trust === false) return normalizeAddress(socketAddress);
  const header = typeof forwardedFor === "string" ? forwardedFor : (forwardedFor ?? []).join(",");
  // proxy-addr reads only these two fields of a request
  const request = {
    socket: { remoteAddress: socketAddress },
    headers: { "x-forwarded-for": header },
  } as unknown as IncomingMessage;
  return normalizeAddress(proxyaddr(request, trustFunction(trust)));
}

/** Whether the launcher's preload stamps PEER_HEADER in this process (see the top of this file). */
export function peerStampActive(): boolean {
  return (globalThis as { [PEER_STAMP_FLAG]?: unknown })[PEER_STAMP_FLAG] === true;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The client address of a request the web app serves: the socket address the preload stamped,
 * then X-Forwarded-For under TRUST_PROXY. Without the preload (a test calling a handler, `next
 * start` run by hand) the address is UNKNOWN_ADDRESS, never something a client wrote.
 */
export function requestClientAddress(headers: HeaderBag, trust: TrustProxy): string {
  const socket = peerStampActive() ? header(headers, PEER_HEADER) : undefined;
  return clientAddress(socket, header(headers, "x-forwarded-for"), trust);
}
