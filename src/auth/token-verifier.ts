// Verifies bearer tokens with jose. HS256 tokens are checked against JWT_SECRET (development);
// RS256/ES256 tokens against the identity provider's JWKS (production). Algorithms are pinned per
// key type, `exp` and `sub` are required, `iss`/`aud` are checked when configured. A verified
// token's principal is cached until it expires (verification is the costliest step of a cached
// answer).

import { createRemoteJWKSet, jwtVerify, errors, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../errors.ts';
import { principalFromClaims, type Principal } from './principal.ts';

export interface VerifierOptions {
  secret: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  now?: () => number;
  /** Appended to the refusal of a token whose signature does not verify (dev mode says which secret). */
  signatureHint?: string;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

const CACHE_MAX = 10_000;

/** null when nothing is configured: then every protected route answers 401. */
export function createTokenVerifier(o: VerifierOptions): TokenVerifier | null {
  const secret = o.secret ? new TextEncoder().encode(o.secret) : null;
  const jwks = o.jwksUrl
    ? createRemoteJWKSet(new URL(o.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : null;
  if (!secret && !jwks) return null;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['RS256', 'ES256'] : [])];
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if ((header.alg === 'RS256' || header.alg === 'ES256') && jwks) return jwks(header, token);
    throw new errors.JOSEAlgNotAllowed('algorithm not allowed');
  };
  const now = o.now ?? Date.now;
  const cache = new Map<string, Principal>();

  return async (token) => {
    const hit = cache.get(token);
    if (hit && hit.expiresAt + o.clockToleranceSeconds * 1000 > now()) return hit;
    if (hit) cache.delete(token);
    let principal: Principal;
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms,
        issuer: o.issuer || undefined,
        audience: o.audience || undefined,
        clockTolerance: o.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      });
      principal = principalFromClaims(payload as Record<string, unknown>);
    } catch (err) {
      throw authError(err, o.signatureHint);
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(token, principal);
    return principal;
  };
}

function authError(err: unknown, signatureHint?: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.JWTExpired) return new AppError('token_expired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) return new AppError('invalid_token', `the token's \`${err.claim}\` claim is not acceptable`);
  if (err instanceof errors.JOSEAlgNotAllowed) return new AppError('invalid_token', 'the token\'s algorithm is not allowed');
  if (err instanceof errors.JWKSNoMatchingKey) return new AppError('invalid_token', 'no known key matches the token');
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AppError('invalid_token', `the token's signature is not valid${signatureHint ? `; ${signatureHint}` : ''}`);
  }
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
    return new AppError('auth_unavailable', 'the identity provider\'s keys could not be fetched');
  }
  return new AppError('invalid_token', 'the token is malformed');
}
