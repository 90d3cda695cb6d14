// The token verifier a config asks for. In dev mode the HS256 secret is JWT_SECRET or a secret
// generated once into DATA_DIR (shared with `npm run token` and the dev sign-in page), and a
// token with a bad signature is refused with a hint naming that secret: the usual cause is a
// token minted for another DATA_DIR.

import { join } from 'node:path';
import type { Config } from '../config.ts';
import { devSecret, MIN_SECRET_LENGTH } from './dev-token.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export function hmacSecret(config: Config): string {
  const secret = config.DEV_MODE ? devSecret(config.JWT_SECRET, config.DATA_DIR) : config.JWT_SECRET;
  if (secret && secret.length < MIN_SECRET_LENGTH) throw new Error(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

/** Where the secret of dev tokens comes from, as `npm run token` and the dev-mode 401 say it. */
export function devSecretSource(config: Config): string {
  return config.JWT_SECRET ? 'JWT_SECRET' : `the dev secret in ${join(config.DATA_DIR, 'dev-jwt-secret')}`;
}

export function verifierFromConfig(config: Config, now?: () => number): TokenVerifier | null {
  return createTokenVerifier({
    signatureHint: config.DEV_MODE
      ? `development mode accepts tokens signed with ${devSecretSource(config)}: mint one with \`npm run token\` under the same DATA_DIR and JWT_SECRET as this server`
      : undefined,
    secret: hmacSecret(config),
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
    now,
  });
}
