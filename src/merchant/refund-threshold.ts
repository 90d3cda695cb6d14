// REFUND_APPROVAL_THRESHOLD: the refund amount, per currency and in its minor units, above which
// a refund waits for a second person's approval. Written `XOF:5000000,NGN:10000000,*:100000`:
// comma-separated `CODE:amount` entries, `*` for every currency not named. A currency with no
// entry and no `*` has no threshold (its refunds are approved at once); empty means none at all.
// An amount equal to the threshold is approved at once: only amounts above it wait.

import { currencyExponent } from '../reference/currencies.ts';

export type RefundThresholds = ReadonlyMap<string, bigint>;

const ENTRY = /^([A-Z]{3}|\*):([0-9]{1,19})$/;
const MAX = 2n ** 63n - 1n;

/** The thresholds, or why the setting is not one (the configuration's error names the setting). */
export function parseRefundThresholds(setting: string): { ok: true; thresholds: RefundThresholds } | { ok: false; problem: string } {
  const thresholds = new Map<string, bigint>();
  if (setting.trim() === '') return { ok: true, thresholds };
  for (const raw of setting.split(',')) {
    const entry = raw.trim();
    const m = ENTRY.exec(entry);
    if (!m) {
      return { ok: false, problem: `entry ${JSON.stringify(entry)} is not CODE:amount (an ISO 4217 code or *, a colon, an integer amount in minor units), e.g. XOF:5000000,*:100000` };
    }
    const [, code, digits] = m;
    if (code !== '*' && currencyExponent(code) === undefined) return { ok: false, problem: `${code} is not an ISO 4217 currency code` };
    const amount = BigInt(digits);
    if (amount > MAX) return { ok: false, problem: `the amount of ${code} is too large` };
    if (thresholds.has(code)) return { ok: false, problem: `${code} is given twice` };
    thresholds.set(code, amount);
  }
  return { ok: true, thresholds };
}

/** The threshold of a currency in its minor units; null: its refunds never wait. */
export function thresholdFor(thresholds: RefundThresholds, currency: string): bigint | null {
  return thresholds.get(currency) ?? thresholds.get('*') ?? null;
}
