// `molam token --role R [--merchant M] [--sub S] [--ttl SECONDS] [--auth-age SECONDS]` (npm run token): prints a
// development token signed with the secret the server uses in development — JWT_SECRET, or the
// dev-mode secret in DATA_DIR — read from the same configuration as the server (loadConfig: the
// environment and CONFIG_FILE). Which secret it used goes to stderr, so a token that a server
// refuses points at the mismatch (another DATA_DIR, another JWT_SECRET).

import { parseArgs } from 'node:util';
import { GRANTS } from '../auth/access-table.ts';
import { devSecretSource, hmacSecret } from '../auth/auth-config.ts';
import { signDevToken } from '../auth/dev-token.ts';
import { loadConfig } from '../config.ts';

export const TOKEN_USAGE = `usage: token --role ROLE [--role ROLE…] [--merchant ID] [--sub NAME] [--ttl SECONDS] [--auth-age SECONDS]
--auth-age: how long ago the user signed in (its auth_time; default 0: now — step-up checks accept 5 minutes)
roles: ${Object.keys(GRANTS).join(', ')}`;

export async function runToken(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args, strict: true,
      options: { role: { type: 'string', multiple: true }, merchant: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string' }, 'auth-age': { type: 'string' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${TOKEN_USAGE}`);
    return 2;
  }
  const roles = values.role ?? [];
  const unknown = roles.filter((r) => !Object.hasOwn(GRANTS, r));
  if (unknown.length) {
    console.error(`unknown role ${unknown.map((r) => JSON.stringify(r)).join(', ')}; valid roles: ${Object.keys(GRANTS).join(', ')}`);
    return 2;
  }
  if (roles.length === 0) {
    console.error(`--role is required\n${TOKEN_USAGE}`);
    return 2;
  }
  const ttl = Number(values.ttl ?? 12 * 3600);
  if (!Number.isInteger(ttl) || ttl < 1) {
    console.error(`--ttl must be a positive number of seconds, got ${values.ttl}`);
    return 2;
  }
  const authAge = Number(values['auth-age'] ?? 0);
  if (!Number.isInteger(authAge) || authAge < 0) {
    console.error(`--auth-age must be a number of seconds, 0 or more, got ${values['auth-age']}`);
    return 2;
  }
  // The server's own configuration; dev mode on, as `npm run dev` sets it, so the secret is the one it uses.
  const config = loadConfig(env, { DEV_MODE: true });
  const secret = hmacSecret(config);
  console.log(await signDevToken(secret, {
    sub: values.sub ?? (values.merchant ? `dev-${values.merchant}` : 'dev-user'),
    roles, merchantId: values.merchant ?? null, ttlSeconds: ttl, authTime: Math.floor(Date.now() / 1000) - authAge,
    issuer: config.JWT_ISSUER || undefined, audience: config.JWT_AUDIENCE || undefined,
  }));
  console.error(`signed with ${devSecretSource(config)}; a server in development mode with the same DATA_DIR (or JWT_SECRET) accepts it`);
  return 0;
}
