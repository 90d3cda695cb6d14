// `molam token --role R [--merchant M] [--sub S] [--ttl SECONDS]` (npm run token): prints a
// development token signed with JWT_SECRET, or with the dev-mode secret in DATA_DIR.

import { parseArgs } from 'node:util';
import { GRANTS } from '../auth/access-table.ts';
import { hmacSecret } from '../auth/auth-config.ts';
import { signDevToken } from '../auth/dev-token.ts';
import { loadConfig } from '../config.ts';

export async function runToken(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string', multiple: true }, merchant: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string' } },
  });
  const roles = values.role ?? [];
  const unknown = roles.filter((r) => !Object.hasOwn(GRANTS, r));
  if (roles.length === 0 || unknown.length) {
    console.error(`usage: npm run token -- --role ROLE [--role ROLE…] [--merchant ID] [--sub NAME] [--ttl SECONDS]\nroles: ${Object.keys(GRANTS).join(', ')}`);
    return 2;
  }
  // The dev secret (or JWT_SECRET) is what the token is signed with, whether or not DEV_MODE is set here.
  const config = loadConfig(undefined, { DEV_MODE: true });
  const secret = hmacSecret(config);
  const ttl = Number(values.ttl ?? 12 * 3600);
  if (!Number.isInteger(ttl) || ttl < 1) throw new Error('--ttl must be a positive number of seconds');
  console.log(await signDevToken(secret, {
    sub: values.sub ?? (values.merchant ? `dev-${values.merchant}` : 'dev-user'),
    roles, merchantId: values.merchant ?? null, ttlSeconds: ttl,
    issuer: config.JWT_ISSUER || undefined, audience: config.JWT_AUDIENCE || undefined,
  }));
  return 0;
}
