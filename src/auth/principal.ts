// The verified caller: who it is, what it may do, and the merchant it is confined to (if any).
// Built only from a verified token's claims.

import { AppError } from '../errors.ts';
import { permissionsFor, type Permission } from './access-table.ts';

export interface Principal {
  sub: string;
  /** Set for merchant users: every answer is confined to this merchant. */
  merchantId: string | null;
  names: string[];
  permissions: ReadonlySet<Permission>;
  /** Token expiry, epoch ms. */
  expiresAt: number;
  /**
   * When the user last authenticated (the OpenID Connect `auth_time` claim), epoch ms; null when
   * the token does not say. Sensitive operations ask for a recent one (step-up.ts).
   */
  authTime: number | null;
}

/** What an id claim (`sub`, `merchant_id`) may hold. */
export const CLAIM_ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || !CLAIM_ID.test(sub)) throw new AppError('invalid_token', 'the token has no valid `sub`');
  const merchant = claims.merchant_id;
  if (merchant !== undefined && merchant !== null && (typeof merchant !== 'string' || !CLAIM_ID.test(merchant))) {
    throw new AppError('invalid_token', 'the token\'s `merchant_id` is not a valid id');
  }
  const merchantId = typeof merchant === 'string' ? merchant : null;
  const names = [...nameList(claims.roles), ...nameList(claims.permissions)];
  return {
    sub, merchantId, names,
    permissions: permissionsFor(names, merchantId),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : 0,
    authTime: typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) && claims.auth_time >= 0 ? Math.floor(claims.auth_time * 1000) : null,
  };
}

/** A claim holding names: a JSON array of strings, or one space-separated string (OAuth `scope` style). */
function nameList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(' ').filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * The merchant filter a request may use. Ops tokens pass through what they asked for; a merchant
 * token always gets its own merchant, and asking for any other is refused.
 */
export function scopeMerchants(principal: Principal, requested: readonly string[]): string[] {
  if (principal.merchantId === null) return [...requested];
  if (requested.some((m) => m !== principal.merchantId)) {
    throw new AppError('forbidden_merchant', 'this token may only see its own merchant');
  }
  return [principal.merchantId];
}

/** Whether the caller may see an object belonging to `merchantId` (otherwise answer 404, as for a missing one). */
export function canSeeMerchant(principal: Principal, merchantId: string | null): boolean {
  return principal.merchantId === null || principal.merchantId === merchantId;
}
