// TRUST_PROXY: the proxies whose X-Forwarded-For is believed, so `req.ip` is the client's and not
// the proxy's (the failed-authentication limiter counts per req.ip). A comma-separated list of
// addresses, CIDR blocks and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`); empty =
// trust no one, forwarded headers ignored. Not a hop count: a count cannot tell a proxy from a
// client that sends its own X-Forwarded-For (Fastify treats one as "trust nothing" anyway).

import { isIP } from 'node:net';

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function entryProblem(entry: string): string | null {
  if (NAMES.has(entry)) return null;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length) return `${JSON.stringify(entry)} is not an address, a CIDR block or one of ${[...NAMES].join(', ')}`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `${JSON.stringify(entry)}: the prefix length must be 0-${max}`;
}

/** The list Fastify's trustProxy takes (false = none), or why the setting is wrong. */
export function parseTrustProxy(value: string): { ok: true; trustProxy: false | string[] } | { ok: false; problem: string } {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: true, trustProxy: false };
  for (const e of entries) {
    const problem = entryProblem(e);
    if (problem) return { ok: false, problem };
  }
  return { ok: true, trustProxy: entries };
}
