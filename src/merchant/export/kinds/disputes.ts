// Export kind `disputes`: the merchant's disputes opened in the period, newest first (the order of
// merchantDisputePage, keyset pages), with the status, deadline and response the portal shows.
// Statement: per currency, the count and amount disputed and the count of each status.

import { currencyExponent } from '../../../reference/currencies.ts';
import { disputePages } from '../../disputes.ts';
import { money, perCurrency, type ExportKind, type Money } from '../export-kind.ts';

const PAGE = 1000;

const COLUMNS = [
  { name: 'dispute_id', type: 'text' }, { name: 'txn_id', type: 'text' }, { name: 'created_at', type: 'time' },
  { name: 'due_by', type: 'time' }, { name: 'status', type: 'text' }, { name: 'reason', type: 'text' },
  { name: 'amount', type: 'money' }, { name: 'currency', type: 'text' }, { name: 'submitted_at', type: 'time' },
  { name: 'submitted_by', type: 'text' }, { name: 'evidence_count', type: 'int' },
] as const;

export const disputesExport: ExportKind = {
  name: 'disputes',
  title: { en: 'Disputes', fr: 'Litiges' },
  columns: COLUMNS,
  async *pages(deps, merchantId, range) {
    for await (const page of disputePages(deps, merchantId, range, PAGE)) {
      yield page.map(({ row, dispute: d }) => [
        d.dispute_id, d.txn_id, d.created_at, d.due_by, d.status, d.reason, money(row.amountMinor, currencyExponent(d.currency) ?? 0),
        d.currency, d.submitted_at, d.submitted_by, d.evidence_count,
      ]);
    }
  },
  totals() {
    const byCurrency = perCurrency(() => ({ amount: 0n, count: 0, open: 0, review: 0, expired: 0 }));
    return {
      add(row) {
        const t = byCurrency.of(row[7] as string);
        t.amount += (row[6] as Money).minor;
        t.count++;
        if (row[4] === 'needs_response') t.open++;
        else if (row[4] === 'under_review') t.review++;
        else t.expired++;
      },
      blocks() {
        return byCurrency.entries().map(([currency, t]) => ({
          currency,
          lines: [
            { label: { en: 'Amount disputed', fr: 'Montant contesté' }, value: money(t.amount, currencyExponent(currency) ?? 0) },
            { label: { en: 'Disputes', fr: 'Litiges' }, value: t.count },
            { label: { en: 'Needing a response', fr: 'En attente de réponse' }, value: t.open },
            { label: { en: 'Under review', fr: 'En cours d\'examen' }, value: t.review },
            { label: { en: 'Expired', fr: 'Expirés' }, value: t.expired },
          ],
        }));
      },
    };
  },
};
