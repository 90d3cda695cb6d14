// The merchant a portal request acts for. A merchant user's token names its merchant (the
// `merchant_id` claim) and nothing can widen it; an ops token names none, so an ops caller acts
// for a merchant only by naming it in the X-Merchant-Id header — and every such call is audited
// (src/http/merchant-scope.ts writes the entry before the handler runs).

import { AppError } from '../errors.ts';
import { CLAIM_ID, type Principal } from '../auth/principal.ts';

/** The header an ops caller names the merchant in. */
export const MERCHANT_HEADER = 'x-merchant-id';

export interface MerchantScope {
  merchantId: string;
  /** The token's subject: who acts. */
  actor: string;
  /** 'merchant': the merchant's own user; 'ops': an operator acting for it. */
  actorKind: 'merchant' | 'ops';
}

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export function resolveMerchantScope(principal: Principal, named: string | undefined): MerchantScope {
  if (principal.merchantId !== null) {
    if (named !== undefined && named !== principal.merchantId) {
      throw new AppError('forbidden_merchant', 'this token may only act for its own merchant');
    }
    return { merchantId: principal.merchantId, actor: principal.sub, actorKind: 'merchant' };
  }
  if (named === undefined || named === '') {
    throw new AppError('merchant_required', `this token names no merchant: name the one to act for in the ${MERCHANT_HEADER} header`);
  }
  if (!CLAIM_ID.test(named)) {
    throw new AppError('invalid_parameter', `${MERCHANT_HEADER} must be a merchant id of 1-128 characters among A-Z a-z 0-9 . _ : @ | -`);
  }
  return { merchantId: named, actor: principal.sub, actorKind: 'ops' };
}
