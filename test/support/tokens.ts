// Test tokens, signed for real with the test secret (HS256) — the server verifies them with the
// same code as any other token.

import { SignJWT } from 'jose';

export const TEST_SECRET = 'test-secret-of-at-least-32-characters!!';

export interface TokenSpec {
  sub?: string;
  roles?: string[];
  permissions?: string[];
  merchantId?: string;
  /** Seconds from now (negative = already expired). */
  expiresIn?: number;
  notBefore?: number;
  issuer?: string;
  audience?: string;
  /** The `auth_time` claim, epoch seconds (absolute: tests pass the app's clock in). */
  authTime?: number;
}

export async function mintToken(spec: TokenSpec = {}, secret = TEST_SECRET): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {};
  if (spec.roles) claims.roles = spec.roles;
  if (spec.permissions) claims.permissions = spec.permissions;
  if (spec.merchantId) claims.merchant_id = spec.merchantId;
  if (spec.authTime !== undefined) claims.auth_time = spec.authTime;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(spec.sub ?? 'test-user')
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + (spec.expiresIn ?? 3600));
  if (spec.notBefore !== undefined) jwt.setNotBefore(nowS + spec.notBefore);
  if (spec.issuer) jwt.setIssuer(spec.issuer);
  if (spec.audience) jwt.setAudience(spec.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
