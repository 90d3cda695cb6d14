// Development tokens: HS256 with JWT_SECRET, or in dev mode a secret generated once into
// DATA_DIR. Used by `npm run token` and the dev sign-in endpoint; never by production.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';

export const MIN_SECRET_LENGTH = 32;

/** JWT_SECRET when set; otherwise the dev secret file in dataDir, created on first use. */
export function devSecret(configured: string, dataDir: string): string {
  if (configured) return configured;
  const path = join(dataDir, 'dev-jwt-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

export interface DevTokenClaims {
  sub: string;
  roles: string[];
  merchantId?: string | null;
  ttlSeconds: number;
  issuer?: string;
  audience?: string;
  /** `auth_time`, epoch seconds: when the user signed in (a dev token is a sign-in: now by default). */
  authTime?: number;
}

export async function signDevToken(secret: string, c: DevTokenClaims): Promise<string> {
  const claims = { roles: c.roles, ...(c.merchantId ? { merchant_id: c.merchantId } : {}), auth_time: c.authTime ?? Math.floor(Date.now() / 1000) };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.sub)
    .setIssuedAt()
    .setExpirationTime(`${c.ttlSeconds}s`);
  if (c.issuer) jwt.setIssuer(c.issuer);
  if (c.audience) jwt.setAudience(c.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
