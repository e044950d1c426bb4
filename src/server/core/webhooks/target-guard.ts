// Where webhooks may go: only public unicast addresses, unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true.
// Checked twice: when an endpoint is saved (IP literals and names that resolve, for a precise
// error), and on every connection through `guardedLookup`, which vets the addresses the socket
// will actually use (a name that resolved to a public address when saved and to 127.0.0.1 later,
// DNS rebinding, is refused at connect time).
import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOneOptions,
} from "node:dns";
import { lookup as dnsLookupAsync } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Thrown through a request's lookup when the target's address is not allowed. */
export class BlockedTargetError extends Error {
  readonly code = "WEBHOOK_TARGET_BLOCKED";
}

/** True for public unicast addresses; IPv4-mapped IPv6 addresses are judged as their IPv4. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  // everything else (private, loopback, linkLocal, uniqueLocal, carrierGradeNat, multicast,
  // unspecified, broadcast, reserved, 6to4/teredo/NAT64 tunnels) may reach inside the network
  return parsed.range() === "unicast";
}

function blockedMessage(host: string, address: string): string {
  return `${host} resolves to ${address}, a private, loopback, link-local or reserved address: webhooks go to public addresses only (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true for on-premise receivers)`;
}

/**
 * Why the URL's host may not receive webhooks, or null. IP literals and localhost names are judged
 * as written; other names by what they resolve to now (a name that does not resolve yet is
 * allowed: its addresses are vetted again on every connection).
 */
export async function webhookTargetProblem(url: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return "is not a URL";
  }
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIP(bare)) return isPublicAddress(bare) ? null : blockedMessage(host, bare);
  const lower = bare.toLowerCase().replace(/\.$/, "");
  if (lower === "localhost" || lower.endsWith(".localhost"))
    return blockedMessage(host, "a loopback address");
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAsync(bare, { all: true, verbatim: true });
  } catch {
    return null;
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  return bad ? blockedMessage(host, bad.address) : null;
}

/**
 * The check of an IP-literal host (connections to a literal skip the lookup, so the worker calls
 * this before each request); null for names and allowed addresses.
 */
export function literalTargetProblem(url: string, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  const host = new URL(url).hostname;
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!isIP(bare)) return null;
  return isPublicAddress(bare) ? null : blockedMessage(host, bare);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that refuses (BlockedTargetError) when any address the name
 * resolves to is not public; with allowPrivate, plain dns.lookup.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions | number,
    callback: LookupCallback,
  ) => {
    const opts = typeof options === "number" ? { family: options } : options;
    dnsLookup(hostname, { ...opts, all: true, verbatim: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const list = addresses;
      if (!allowPrivate) {
        const bad = list.find((a) => !isPublicAddress(a.address));
        if (bad) {
          callback(new BlockedTargetError(blockedMessage(hostname, bad.address)), []);
          return;
        }
      }
      if ("all" in opts && opts.all) callback(null, list);
      else {
        const first = list[0];
        if (!first)
          callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
        else callback(null, first.address, first.family);
      }
    });
  };
}
