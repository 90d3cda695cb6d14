// Export kind `payouts`: the merchant's payouts created in the period, newest first (the order of
// GET /api/merchant/payouts, keyset pages), with their status and settlement time. Statement: per
// currency, the amount paid out, and the count of payouts settled and still pending.

import { currencyExponent } from '../../../reference/currencies.ts';
import { payoutPages } from '../../payouts.ts';
import { money, perCurrency, type ExportKind, type Money } from '../export-kind.ts';

const PAGE = 1000;

const COLUMNS = [
  { name: 'payout_id', type: 'text' }, { name: 'created_at', type: 'time' }, { name: 'status', type: 'text' },
  { name: 'settled_at', type: 'time' }, { name: 'amount', type: 'money' }, { name: 'currency', type: 'text' },
  { name: 'event_count', type: 'int' },
] as const;

export const payoutsExport: ExportKind = {
  name: 'payouts',
  title: { en: 'Payouts', fr: 'Versements' },
  columns: COLUMNS,
  async *pages(deps, merchantId, range) {
    for await (const page of payoutPages(deps, merchantId, range, PAGE)) {
      yield page.map(({ row, payout: p }) => [
        p.payout_id, p.created_at, p.status, p.settled_at, money(row.amountMinor, currencyExponent(p.currency) ?? 0),
        p.currency, p.event_count,
      ]);
    }
  },
  totals() {
    const byCurrency = perCurrency(() => ({ amount: 0n, settled: 0, pending: 0 }));
    return {
      add(row) {
        const t = byCurrency.of(row[5] as string);
        t.amount += (row[4] as Money).minor;
        if (row[2] === 'settled') t.settled++;
        else t.pending++;
      },
      blocks() {
        return byCurrency.entries().map(([currency, t]) => ({
          currency,
          lines: [
            { label: { en: 'Paid out', fr: 'Montant versé' }, value: money(t.amount, currencyExponent(currency) ?? 0) },
            { label: { en: 'Payouts settled', fr: 'Versements réglés' }, value: t.settled },
            { label: { en: 'Payouts pending', fr: 'Versements en attente' }, value: t.pending },
          ],
        }));
      },
    };
  },
};
