// The merchant's summary (GET /api/merchant/summary): sales, refunds, fees, net revenue, counts and
// success rate over a period preset of the merchant's zone (or custom dates), each beside the
// previous period of equal length. Amounts are the exact decimals of one currency, or USD over all.

import { useQuery } from '@tanstack/react-query';
import { apiGet, type RankItem } from '../../api.ts';
import { KpiCard, KpiSkeleton } from '../../components/KpiCard.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { formatMoney, formatValue } from '../../format.ts';
import type { MessageKey } from '../../i18n.ts';
import { mGet, type Figures, type Summary } from '../../merchant-api.ts';
import { isoDate, nextDay, startOfDate } from '../../zoned-time.ts';
import { fieldBase, labelText, secondary } from '../alerts/ui.tsx';

const muted = 'text-sm text-slate-600 dark:text-slate-400';
import { useMerchant } from './context.ts';
import { ServerRefusal, when } from './ui.tsx';

const PERIODS = ['today', 'wtd', 'mtd', 'qtd', 'ytd', 'custom'] as const;
type Period = (typeof PERIODS)[number];

type Money = 'sales' | 'refunds' | 'fees' | 'net_revenue';
const CARDS: Array<{ id: keyof Figures & string; money?: Money; unit?: 'count' | 'ratio'; good: boolean }> = [
  { id: 'sales', money: 'sales', good: true },
  { id: 'refunds', money: 'refunds', good: false },
  { id: 'fees', money: 'fees', good: false },
  { id: 'net_revenue', money: 'net_revenue', good: true },
  { id: 'transactions', unit: 'count', good: true },
  { id: 'success_rate', unit: 'ratio', good: true },
  { id: 'refund_count', unit: 'count', good: false },
];

export function SummaryPanel() {
  const { caller, lang, t, tz, merchant, summary: choice, setSummary } = useMerchant();
  const today = isoDate(Date.now(), tz);
  const period = (PERIODS as readonly string[]).includes(choice.period) ? choice.period as Period : 'mtd';
  const from = choice.from || isoDate(Date.now() - 7 * 86_400_000, tz);
  const to = choice.to || today;
  const currency = choice.currency;
  const setPeriod = (p: Period) => setSummary({ ...choice, period: p });
  const setFrom = (v: string) => setSummary({ ...choice, from: v, to });
  const setTo = (v: string) => setSummary({ ...choice, from, to: v });
  const setCurrency = (v: string) => setSummary({ ...choice, currency: v });
  const customOk = period !== 'custom' || (!!from && !!to && from <= to);
  // No `tz`: the server computes the period in the merchant's own zone (its settings).
  const params: Record<string, string> = { period, currency };
  if (period === 'custom' && customOk) {
    params.from = new Date(startOfDate(from, tz)).toISOString();
    params.to = new Date(nextDay(to, tz)).toISOString();
  }
  const summary = useQuery({
    queryKey: ['m-summary', caller, params],
    queryFn: () => mGet<Summary>(caller, '/summary', params),
    enabled: customOk,
    refetchInterval: 60_000,
    placeholderData: (prev) => prev,
  });
  // The merchant's currencies over the last year or so (the analytics breakdown, scoped like the portal).
  const currencies = useQuery({
    queryKey: ['m-currencies', caller],
    queryFn: () => {
      // Whole UTC days, so the day rollups (kept forever) answer.
      const end = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000);
      return apiGet<{ items: Array<RankItem & { key: string | null }> }>('/api/analytics/breakdown', caller.token, {
        from: new Date(end.getTime() - 366 * 86_400_000).toISOString(), to: end.toISOString(), dimension: 'currency', limit: '50', tz: 'UTC',
        ...(caller.merchant ? { merchant_id: merchant } : {}),
      });
    },
    staleTime: 300_000,
  });
  const s = summary.data;
  const cur = s?.currency ?? null;
  const money = (f: Figures | null | undefined, k: Money) => !f ? '—' : cur ? formatMoney(f[k], cur, lang) : formatValue(f[`${k}_usd` as const], 'usd', lang);
  // A money card's amounts as numbers, only for its badge ("new" after nothing, as the overview's).
  const amount = (f: Figures | null | undefined, k: Money): number | null => {
    if (!f) return null;
    const v = cur ? f[k] : f[`${k}_usd` as const];
    return v === null || v === undefined ? null : Number(v);
  };

  return (
    <section aria-label={t('m_tab_summary')}>
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <Segmented<Period> label={t('m_period')} options={PERIODS} value={period} onChange={setPeriod} text={(p) => t(`m_period_${p}` as MessageKey)} />
        {period === 'custom' && (
          <>
            <label className={labelText}>{t('date_from')}<input type="date" name="summary_from" value={from} max={today} onChange={(e) => setFrom(e.target.value)} className={`${fieldBase} mt-1 block`} /></label>
            <label className={labelText}>{t('date_to')}<input type="date" name="summary_to" value={to} max={today} onChange={(e) => setTo(e.target.value)} className={`${fieldBase} mt-1 block`} /></label>
          </>
        )}
        <label className={labelText}>
          {t('currency')}
          <select name="summary_currency" value={currency} onChange={(e) => setCurrency(e.target.value)} className={`${fieldBase} mt-1 block`}>
            <option value="">{t('all_currencies')}</option>
            {(currencies.data?.items ?? []).map((c) => c.key && <option key={c.key} value={c.key}>{c.key}</option>)}
          </select>
        </label>
        <button type="button" className={secondary} data-action="refresh" onClick={() => void summary.refetch()}>{t('m_refresh')}</button>
      </div>
      {!customOk && <p role="alert" className="mb-3 text-sm text-rose-700">{t('m_bad_dates')}</p>}
      <ServerRefusal error={summary.error} t={t} />
      {s && (
        <p data-field="period-line" className={`${muted} mb-3`}>
          {when(lang, s.tz, s.from)} → {when(lang, s.tz, s.to)} ({s.tz}) · {t('compared_with_before')}
          {s.as_of && <> · {t('complete_up_to')} {when(lang, s.tz, s.as_of)}</>}
          {s.unconverted_events > 0 && !cur && <> · {s.unconverted_events} {t('awaiting_fx')} {t('left_out')}</>}
        </p>
      )}
      <div className={`grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4 ${summary.isFetching && s ? 'opacity-60' : ''}`} data-summary={s ? `${s.period}|${s.currency ?? ''}` : 'loading'}>
        {!s ? CARDS.map((c) => <KpiSkeleton key={c.id} />) : CARDS.map((c) => (
          <KpiCard key={c.id} id={`m_${c.id}`} label={t(`m_kpi_${c.id}` as MessageKey)} unit={c.unit ?? 'usd'} lang={lang}
            value={c.unit ? (s.current[c.id] as number | null) : amount(s.current, c.money!)}
            previous={c.unit ? (s.previous ? (s.previous[c.id] as number | null) : null) : amount(s.previous, c.money!)}
            change={s.change[c.money ?? c.id] ?? null} higherIsBetter={c.good} previousLabel={t('previous')}
            text={c.money ? { value: money(s.current, c.money), previous: money(s.previous, c.money) } : undefined} />
        ))}
      </div>
      {s && !s.previous && <p className={`${muted} mt-2`}>{t('m_no_previous')}</p>}
    </section>
  );
}
