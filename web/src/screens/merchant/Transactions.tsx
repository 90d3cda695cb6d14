// The merchant's transactions (GET /api/merchant/transactions): filters, sort, keyset pages (the
// server's opaque cursor; "previous" walks back the cursors already seen), and a row opens the
// detail drawer. Amounts are exact decimals in each transaction's currency; dates in the merchant's zone.

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { formatMoney } from '../../format.ts';
import type { MessageKey } from '../../i18n.ts';
import { mGet, type Page, type Transaction } from '../../merchant-api.ts';
import { nextDay, startOfDate } from '../../zoned-time.ts';
import { card, fieldBase, labelText, primary, secondary, th, thead } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { TransactionDrawer } from './TransactionDrawer.tsx';
import { ListState, StatusBadge, when } from './ui.tsx';

const SORTS = ['-created_at', 'created_at', '-amount', 'amount'] as const;
const PAGE = '25';

interface Filters { status: string; currency: string; payment_method: string; provider: string; amount_min: string; amount_max: string; from: string; to: string; search: string }
const EMPTY: Filters = { status: '', currency: '', payment_method: '', provider: '', amount_min: '', amount_max: '', from: '', to: '', search: '' };

export function Transactions() {
  const { caller, lang, t, tz } = useMerchant();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [sort, setSort] = useState<(typeof SORTS)[number]>('-created_at');
  // The cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  const oneCurrency = /^[A-Z]{3}$/.test(draft.currency.trim().toUpperCase());

  const params: Record<string, string> = {
    sort, limit: PAGE, status: filters.status, currency: filters.currency.trim().toUpperCase(), payment_method: filters.payment_method.trim(),
    provider: filters.provider.trim(), amount_min: filters.amount_min.trim(), amount_max: filters.amount_max.trim(), search: filters.search.trim(),
  };
  if (filters.from) params.from = new Date(startOfDate(filters.from, tz)).toISOString();
  if (filters.to) params.to = new Date(nextDay(filters.to, tz)).toISOString();
  if (cursor) params.cursor = cursor;
  const page = useQuery({
    queryKey: ['m-transactions', caller, params],
    queryFn: () => mGet<Page<Transaction>>(caller, '/transactions', params),
    placeholderData: keepPreviousData,
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(oneCurrency ? draft : { ...draft, amount_min: '', amount_max: '' });
    setCursors([]);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const input = (k: keyof Filters, label: MessageKey, extra: Record<string, unknown> = {}) => (
    <label className={labelText}>{t(label)}<input name={`f_${k}`} value={draft[k]} onChange={set(k)} className={`${fieldBase} mt-1 block w-full`} {...extra} /></label>
  );
  const items = page.data?.items ?? [];

  return (
    <section aria-label={t('m_tab_transactions')}>
      <form onSubmit={apply} aria-label={t('m_filters')} className={`${card} mb-4 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5`}>
        <label className={labelText}>{t('alert_status')}
          <select name="f_status" value={draft.status} onChange={set('status')} className={`${fieldBase} mt-1 block w-full`}>
            <option value="">{t('m_any')}</option>
            {['succeeded', 'pending', 'failed'].map((s) => <option key={s} value={s}>{t(`m_status_${s}` as MessageKey)}</option>)}
          </select>
        </label>
        {input('currency', 'currency', { placeholder: 'XOF', maxLength: 3 })}
        {input('payment_method', 'm_method', { placeholder: 'card' })}
        {input('provider', 'm_provider', { placeholder: 'wave' })}
        {input('search', 'm_search', { placeholder: t('m_search_hint'), type: 'search' })}
        {input('amount_min', 'm_amount_min', { inputMode: 'decimal', disabled: !oneCurrency, title: oneCurrency ? undefined : t('m_amount_needs_currency') })}
        {input('amount_max', 'm_amount_max', { inputMode: 'decimal', disabled: !oneCurrency, title: oneCurrency ? undefined : t('m_amount_needs_currency') })}
        {input('from', 'date_from', { type: 'date' })}
        {input('to', 'date_to', { type: 'date' })}
        <div className="flex items-end gap-2">
          <button type="submit" className={primary}>{t('apply')}</button>
          <button type="button" className={secondary} onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursors([]); }}>{t('m_clear')}</button>
        </div>
        {!oneCurrency && <p className="col-span-full text-xs text-slate-600 dark:text-slate-400">{t('m_amount_needs_currency')}</p>}
      </form>

      <div className={card}>
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <label className={`${labelText} flex items-center gap-2`}>{t('m_sort')}
            <select name="sort" value={sort} onChange={(e) => { setSort(e.target.value as typeof sort); setCursors([]); }} className={fieldBase}>
              {SORTS.map((s) => <option key={s} value={s}>{t(`m_sort_${s.replace('-', 'desc_')}` as MessageKey)}</option>)}
            </select>
          </label>
          <p className="text-xs text-slate-600 dark:text-slate-400">{t('m_dates_in')} {tz}</p>
        </div>
        <ListState loading={page.isPending} error={page.error} empty={!page.isPending && !page.error && items.length === 0} t={t} />
        {items.length > 0 && (
          <div className={`overflow-x-auto ${page.isFetching ? 'opacity-60' : ''}`}>
            <table className="w-full text-sm" data-table="transactions">
              <thead className={thead}>
                <tr>
                  <th className={th}>{t('m_transaction')}</th><th className={th}>{t('alert_status')}</th>
                  <th className={`${th} text-right`}>{t('m_amount')}</th>
                  <th className={`${th} hidden md:table-cell`}>{t('m_method')}</th><th className={`${th} hidden md:table-cell`}>{t('m_provider')}</th>
                  <th className={`${th} hidden lg:table-cell`}>{t('m_customer')}</th><th className={th}>{t('m_created')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((x) => (
                  <tr key={x.txn_id} data-txn={x.txn_id} className="border-t border-slate-100 dark:border-slate-700">
                    <td className="py-2 pr-3">
                      <button type="button" onClick={() => setOpen(x.txn_id)} className="font-mono text-xs text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                        aria-label={`${t('m_open_transaction')} ${x.txn_id}`}>{x.txn_id}</button>
                    </td>
                    <td className="py-2 pr-3"><StatusBadge status={x.status} t={t} /></td>
                    <td data-field="amount" className="py-2 pr-3 text-right tabular-nums whitespace-nowrap">{formatMoney(x.amount, x.currency, lang)}</td>
                    <td className="hidden py-2 pr-3 md:table-cell">{x.payment_method ?? '—'}</td>
                    <td className="hidden py-2 pr-3 md:table-cell">{x.provider ?? '—'}</td>
                    <td className="hidden py-2 pr-3 font-mono text-xs lg:table-cell">{x.customer_id ?? '—'}</td>
                    <td className="py-2 pr-3 whitespace-nowrap">{when(lang, tz, x.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="mt-3 flex justify-end gap-2">
          <button type="button" className={secondary} disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>{t('m_prev_page')}</button>
          <button type="button" className={secondary} disabled={!page.data?.next_cursor || page.isPlaceholderData}
            onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data.next_cursor!])}>{t('m_next_page')}</button>
        </div>
      </div>
      {open && <TransactionDrawer txnId={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
