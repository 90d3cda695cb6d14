// SSRF guard for webhook targets: only http(s), no credentials in the URL, and only public
// addresses. `checkTargetUrl` checks what the URL itself says (WHATWG `new URL()` normalises
// `127.1`, `2130706433`, `0x7f.1` … to dotted IPv4 first); a hostname is checked at connect time
// against the address actually connected to (see deliver-webhook.ts), and already when the
// endpoint is registered (`resolveTarget`), by the same rule (`judgeAddresses`). `allowPrivate`
// (the WEBHOOKS_ALLOW_PRIVATE_TARGETS setting, off by default) admits loopback/private targets
// for local development and tests; schemes and credentials are refused regardless.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';

export type TargetRefusal = { ok: false; code: 'target_not_allowed'; reason: string };
export type TargetCheck = { ok: true; url: URL } | TargetRefusal;

export function refusal(reason: string): TargetRefusal {
  return { ok: false, code: 'target_not_allowed', reason };
}

export function checkTargetUrl(url: string, options: { allowPrivate?: boolean } = {}): TargetCheck {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return refusal('not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return refusal(`scheme ${u.protocol} is not allowed`);
  if (u.username !== '' || u.password !== '') return refusal('credentials in the URL are not allowed');
  const host = hostAddress(u);
  if (host === '') return refusal('no host');
  if ((isIPv4(host) || isIPv6(host)) && !options.allowPrivate && !isPublicAddress(host)) {
    return refusal('target address is not public');
  }
  return { ok: true, url: u };
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * The rule for a host's resolved addresses: refused if any of them is not public (a name that
 * also resolves to a private address could be made to connect there), unless allowPrivate.
 */
export function judgeAddresses(addresses: readonly string[], allowPrivate: boolean): TargetRefusal | null {
  const inside = addresses.filter((a) => !isPublicAddress(a));
  if (allowPrivate || inside.length === 0) return null;
  return refusal(`the host resolves to ${inside.join(', ')}, which is not a public address`);
}

export interface TargetWarning {
  code: 'host_unresolvable';
  message: string;
}

const REGISTRATION_LOOKUP_TIMEOUT_MS = 3000;

/**
 * At registration: resolves the URL's host name (an IP literal needs nothing) and judges its
 * addresses as delivery will. A name that does not resolve now is accepted with a warning —
 * DNS may not be set up yet, and delivery checks again anyway.
 */
export async function resolveTarget(url: URL, o: { allowPrivate: boolean; resolve?: Resolver; timeoutMs?: number }):
  Promise<{ ok: true; warnings: TargetWarning[] } | TargetRefusal> {
  const host = hostAddress(url);
  if (isIPv4(host) || isIPv6(host)) return { ok: true, warnings: [] };
  const timeoutMs = o.timeoutMs ?? REGISTRATION_LOOKUP_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      (o.resolve ?? systemResolver)(host),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return judgeAddresses(addresses.map((a) => a.address), o.allowPrivate) ?? { ok: true, warnings: [] };
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { ok: true, warnings: [{ code: 'host_unresolvable', message: `${host} does not resolve now (${why}); deliveries fail until it does` }] };
  } finally {
    clearTimeout(timer);
  }
}

/** The URL's hostname without IPv6 brackets (what to pass to http.request / net.isIP). */
export function hostAddress(u: URL): string {
  const h = u.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

// [network, prefix length] in 32-bit integer form.
const V4_BLOCKED: ReadonlyArray<readonly [number, number]> = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
].map(([net, len]) => [v4ToInt(net as string), len as number] as const);

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function isPublicV4Int(n: number): boolean {
  for (const [net, len] of V4_BLOCKED) {
    const size = 2 ** (32 - len);
    if (n >= net && n < net + size) return false;
  }
  return true;
}

/** Eight 16-bit groups of an IPv6 address (zone id stripped), or null if malformed. */
function v6Groups(ip: string): number[] | null {
  let s = ip.split('%')[0];
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return null;
    const n = v4ToInt(last);
    tail = [Math.floor(n / 65536), n % 65536];
    s = s.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 0 : fill !== 0) return null;
  const groups = [...head, ...new Array(fill).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  if (tail.length === 2) groups.splice(6, 2, tail[0], tail[1]);
  return groups;
}

function isPublicV6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
  const embeddedV4 = g6 * 65536 + g7;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::ffff:a.b.c.d (IPv4-mapped) — judge the embedded IPv4 address.
  if (firstFiveZero && g5 === 0xffff) return isPublicV4Int(embeddedV4);
  // ::/96 — unspecified, loopback, deprecated IPv4-compatible: never a webhook target.
  if (firstFiveZero && g5 === 0) return false;
  // 64:ff9b::/96 (NAT64) — judge the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPublicV4Int(embeddedV4);
  // 64:ff9b:1::/48 (local-use NAT64).
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return false;
  // 100::/64 (discard-only).
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return false;
  // 2001::/23 (IETF protocol assignments: Teredo, ORCHID, …) and 2001:db8::/32 (documentation).
  if (g0 === 0x2001 && (g1 < 0x200 || g1 === 0xdb8)) return false;
  // 2002::/16 (6to4) — judge the embedded IPv4 address (groups 1-2).
  if (g0 === 0x2002) return isPublicV4Int(g1 * 65536 + g2);
  // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast: all
  // outside 2000::/3, the only global unicast range allocated. Anything else outside it is refused.
  return (g0 & 0xe000) === 0x2000;
}

/**
 * True only for a globally routable unicast address (IPv4 or IPv6, no brackets). Malformed input
 * is not public.
 */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return isPublicV4Int(v4ToInt(ip));
  if (isIPv6(ip)) {
    const groups = v6Groups(ip);
    return groups !== null && isPublicV6(groups);
  }
  return false;
}
