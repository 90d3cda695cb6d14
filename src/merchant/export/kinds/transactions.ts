// Export kind `transactions`: the merchant's transactions created in the period, oldest first,
// read a keyset page at a time through the portal's listing query (merchantTransactionPage, the
// same folding as GET /api/merchant/transactions). Statement: per currency, sales and fees of the
// succeeded transactions, net, and the count of each status.

import { currencyExponent } from '../../../reference/currencies.ts';
import type { TransactionRow } from '../../../store/analytics-store.ts';
import { decodeTransaction, transactionQuery } from '../../list-transactions.ts';
import { money, perCurrency, type ExportKind, type Money, type Row } from '../export-kind.ts';

/** Rows read from the store at a time. */
const PAGE = 2000;

const COLUMNS = [
  { name: 'txn_id', type: 'text' }, { name: 'created_at', type: 'time' }, { name: 'updated_at', type: 'time' },
  { name: 'status', type: 'text' }, { name: 'amount', type: 'money' }, { name: 'fee', type: 'money' },
  { name: 'currency', type: 'text' }, { name: 'country', type: 'text' }, { name: 'city', type: 'text' },
  { name: 'payment_method', type: 'text' }, { name: 'provider', type: 'text' }, { name: 'customer_id', type: 'text' },
  { name: 'failure_reason', type: 'text' }, { name: 'event_count', type: 'int' },
] as const;

const at = (name: (typeof COLUMNS)[number]['name']) => COLUMNS.findIndex((c) => c.name === name);
const STATUS = at('status');
const AMOUNT = at('amount');
const FEE = at('fee');
const CURRENCY = at('currency');

export const transactionsExport: ExportKind = {
  name: 'transactions',
  title: { en: 'Transactions', fr: 'Transactions' },
  columns: COLUMNS,
  async *pages(deps, merchantId, range) {
    const q = transactionQuery({ ...deps, maxFutureMs: 0 }, merchantId,
      { statuses: [], currencies: [], methods: [], providers: [], from: range.from, to: range.to }, 'created_at');
    if (q.merchantKey === undefined) return; // a merchant never seen has no transactions
    let after: { key: bigint; txnId: string } | null = null;
    for (;;) {
      const rows: TransactionRow[] = await deps.store.merchantTransactionPage({ ...q, after, limit: PAGE });
      if (rows.length > 0) yield rows.map((r) => toRow(r, deps.dims));
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1];
      after = { key: BigInt(last.createdAt), txnId: last.txnId };
    }
  },
  totals() {
    const zero = () => ({ sales: 0n, fees: 0n, succeeded: 0, failed: 0, pending: 0 });
    const byCurrency = perCurrency(zero);
    return {
      add(row) {
        const t = byCurrency.of(row[CURRENCY] as string);
        const status = row[STATUS];
        if (status === 'succeeded') {
          t.succeeded++;
          t.sales += (row[AMOUNT] as Money).minor;
          t.fees += (row[FEE] as Money).minor;
        } else if (status === 'failed') t.failed++;
        else t.pending++;
      },
      blocks() {
        return byCurrency.entries().map(([currency, t]) => {
          const e = currencyExponent(currency) ?? 0;
          return {
            currency,
            lines: [
              { label: { en: 'Sales (succeeded transactions)', fr: 'Ventes (transactions réussies)' }, value: money(t.sales, e) },
              { label: { en: 'Fees', fr: 'Frais' }, value: money(t.fees, e) },
              { label: { en: 'Net (sales − fees)', fr: 'Net (ventes − frais)' }, value: money(t.sales - t.fees, e) },
              { label: { en: 'Succeeded transactions', fr: 'Transactions réussies' }, value: t.succeeded },
              { label: { en: 'Failed transactions', fr: 'Transactions échouées' }, value: t.failed },
              { label: { en: 'Pending transactions', fr: 'Transactions en attente' }, value: t.pending },
            ],
          };
        });
      },
    };
  },
};

function toRow(r: TransactionRow, dims: Parameters<typeof decodeTransaction>[1]): Row {
  const t = decodeTransaction(r, dims);
  const e = currencyExponent(t.currency) ?? 0;
  return [
    t.txn_id, t.created_at, t.updated_at, t.status, money(r.amountMinor, e), money(r.feeMinor, e), t.currency, t.country,
    t.city, t.payment_method, t.provider, t.customer_id, t.failure_reason, t.event_count,
  ];
}
