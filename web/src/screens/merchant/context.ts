// What every section of the merchant area shares: who calls (token and X-Merchant-Id), what the
// token may do, the language, and the merchant's time zone (every date is shown in it).

import { createContext, useContext } from 'react';
import type { Lang } from '../../i18n.ts';
import type { Me } from '../../me.ts';
import type { Caller } from '../../merchant-api.ts';
import type { T } from '../alerts/ui.tsx';

/** The portal's default zone for a merchant without settings (docs/merchant.md). */
export const DEFAULT_ZONE = 'Africa/Dakar';

/** The summary's choices, kept while the user visits other sections. */
export interface SummaryChoice { period: string; from: string; to: string; currency: string }

export interface MerchantCtx {
  caller: Caller; me: Me; lang: Lang; t: T; tz: string; merchant: string;
  summary: SummaryChoice; setSummary: (s: SummaryChoice) => void;
  /** Back to the sign-in page, keeping the screen and section (a step-up: the server wants a recent sign-in). */
  signInAgain: () => void;
}

export const MerchantContext = createContext<MerchantCtx | null>(null);

export function useMerchant(): MerchantCtx {
  const ctx = useContext(MerchantContext);
  if (!ctx) throw new Error('useMerchant outside the merchant area');
  return ctx;
}
