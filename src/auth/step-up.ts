// Step-up authentication for sensitive operations (a merchant's payout schedule): the caller must
// have authenticated recently — the verified token's `auth_time` (OpenID Connect) within
// STEP_UP_MAX_AGE_MS of now. A token without `auth_time`, with an older one, or with one further
// ahead of the server clock than the skew allowed is refused with 403 `step_up_required`: the
// client signs the user in again (prompt=login, max_age=300 at the identity provider) and retries.

import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

export const STEP_UP_MAX_AGE_MS = 5 * 60_000;
/** How far auth_time may lead the server clock (the identity provider's clock skew). */
const MAX_LEAD_MS = 60_000;

export function requireRecentAuth(principal: Principal, now: number, maxAgeMs = STEP_UP_MAX_AGE_MS): void {
  const at = principal.authTime;
  if (at === null) throw stepUp('the token does not say when its user authenticated (no auth_time)');
  if (at > now + MAX_LEAD_MS) throw stepUp('the token\'s auth_time is in the future');
  if (now - at > maxAgeMs) throw stepUp(`the user authenticated more than ${maxAgeMs / 60_000} minutes ago`);
}

function stepUp(why: string): AppError {
  return new AppError('step_up_required', `this operation needs a recent sign-in: ${why}; sign in again and retry within ${STEP_UP_MAX_AGE_MS / 60_000} minutes`);
}
