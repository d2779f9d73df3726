import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/**
 * Where webhooks may point: the public internet only. A webhook's URL is chosen by a FINANCE
 * user and its delivery result (status, error, timing) is shown back, so an internal target
 * would make the worker a port scanner of the private network. One home for the rule, used by
 * the API when a URL is set and by the worker when it connects (after DNS resolution, every
 * address checked, the connection made to the checked address). WEBHOOK_ALLOW_PRIVATE_TARGETS
 * =true lifts it for local development and tests.
 */
const ranges: [string, number, "ipv4" | "ipv6", string][] = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "private (shared, CGNAT)"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local (cloud metadata)"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "reserved"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "reserved (benchmarking)"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["::ffff:0:0", 96, "ipv6", "IPv4-mapped"], // judged by the IPv4 address, below
  ["64:ff9b::", 96, "ipv6", "NAT64"],
  ["fc00::", 7, "ipv6", "private (unique local)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];
const lists = ranges.map(([net, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, family, kind };
});

/** Why a connection to this IP address is refused, or null for a public address. */
export function addressProblem(ip: string): string | null {
  const family = isIP(ip) === 6 ? "ipv6" : isIP(ip) === 4 ? "ipv4" : null;
  if (!family) return `${ip} is not an IP address`;
  const hit = lists.find((l) => l.family === family && l.list.check(ip, family));
  if (!hit) return null;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) is judged by the IPv4 address it carries.
  if (hit.kind === "IPv4-mapped")
    return addressProblem(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ipv4OfMapped(ip));
  return `${ip} is a ${hit.kind} address`;
}

/** ::ffff:7f00:1 -> 127.0.0.1 */
function ipv4OfMapped(ip: string): string {
  const [hi = "0", lo = "0"] = ip.split(":").slice(-2);
  const a = parseInt(hi, 16);
  const b = parseInt(lo, 16);
  return [a >> 8, a & 255, b >> 8, b & 255].join(".");
}

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: accept every address (local development, tests). */
  allowPrivate: boolean;
}

const resolveAll = (host: string) =>
  new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => resolve(err ? null : addresses)),
  );

/**
 * Why a webhook may not point at this URL, or null. An IP literal (any notation the URL parser
 * accepts) is checked as it is; a name is resolved and every address it has must be public. A
 * name that does not resolve (yet) is accepted here: delivery checks it again when it connects.
 */
export async function webhookTargetProblem(rawUrl: string, policy: TargetPolicy): Promise<string | null> {
  if (policy.allowPrivate) return null;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return `"${rawUrl}" is not an absolute URL`;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) return addressProblem(host);
  const addresses = await resolveAll(host);
  for (const a of addresses ?? []) {
    const problem = addressProblem(a.address);
    if (problem) return `${host} resolves to ${problem}`;
  }
  return null;
}

/** Error of a refused connection: the delivery fails for good (a retry would be refused again). */
export class PrivateTargetError extends Error {
  readonly code = "EPRIVATETARGET";
}

/**
 * A `lookup` for http.request / net.connect that resolves the name and refuses the connection
 * unless every address is allowed: the socket then connects to an address that was checked,
 * so a name cannot be re-pointed (DNS rebinding) between the check and the connection.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      if (!policy.allowPrivate) {
        for (const a of addresses) {
          const problem = addressProblem(a.address);
          if (problem) return callback(new PrivateTargetError(`${hostname} resolves to ${problem}`), "", 0);
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
