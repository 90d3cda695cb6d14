// The overview: the business KPIs over a preset range (24 h, 7 d, 30 d), each against the period
// before, the series as a chart, and the top countries and (ops) merchants. Range and language
// live in the query string (`?range=7d&lang=fr`).

import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, apiGet, SERIES_METRICS, type KpiName, type Overview as OverviewData, type SeriesMetric } from '../api.ts';
import { KpiCard } from '../components/KpiCard.tsx';
import { RankTable } from '../components/RankTable.tsx';
import { SeriesChart } from '../components/SeriesChart.tsx';
import { countryName, formatInstant, formatValue, type Unit } from '../format.ts';
import { translate, type MessageKey } from '../i18n.ts';
import { Segmented } from '../components/Segmented.tsx';
import { RANGES, rangeBounds, type Range, type View } from '../url-state.ts';

const KPIS: Array<{ name: KpiName; unit: Unit; higherIsBetter: boolean }> = [
  { name: 'gross_volume_usd', unit: 'usd', higherIsBetter: true },
  { name: 'tx_count', unit: 'count', higherIsBetter: true },
  { name: 'success_rate', unit: 'ratio', higherIsBetter: true },
  { name: 'refund_rate', unit: 'ratio', higherIsBetter: false },
  { name: 'chargeback_rate', unit: 'ratio', higherIsBetter: false },
  { name: 'avg_ticket_usd', unit: 'usd', higherIsBetter: true },
  { name: 'net_volume_usd', unit: 'usd', higherIsBetter: true },
];
const SERIES_UNIT: Record<SeriesMetric, Unit> = { gross_volume_usd: 'usd', tx_count: 'count', success_rate: 'ratio' };

export function Overview({ token, view }: { token: string; view: View }) {
  const { range, lang, setRange } = view;
  const [metric, setMetric] = useState<SeriesMetric>('gross_volume_usd');
  const t = (key: MessageKey) => translate(lang, key);

  // from/to are computed at each fetch, so the 30-second refresh moves the window with the clock.
  const overview = useQuery({
    queryKey: ['overview', token, range],
    queryFn: () => apiGet<OverviewData>('/api/analytics/overview', token, rangeBounds(range)),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
  const data = overview.data;
  const err = overview.error;
  const expired = err instanceof ApiError && err.status === 401;

  return (
    <div>
      <header className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t('overview')}</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">{t(`subtitle_${range}` as MessageKey)}</p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Segmented<Range> label={t('range')} options={RANGES} value={range} onChange={setRange} text={(r) => t(`preset_${r}` as MessageKey)} />
        </div>
      </header>

      {err && (
        <div role="alert" className="mb-6 rounded-2xl bg-rose-50 p-4 text-sm text-rose-800 ring-1 ring-rose-200">
          {expired ? t('expired') : `${t('load_failed')} ${err.message}`}
        </div>
      )}

      {data && (
        <p data-field="freshness" className="mb-4 text-sm text-slate-600 dark:text-slate-300">
          {t('complete_up_to')} <span data-field="as-of" className="font-medium">{formatInstant(data.as_of, lang) ?? t('nothing_ingested')}</span>
          {' · '}
          <span data-field="unconverted">{formatValue(data.unconverted_events, 'count', lang)}</span> {t('awaiting_fx')}
          {data.unconverted_events > 0 && ` ${t('left_out')}`}
        </p>
      )}

      {overview.isPending && !err && <p className="text-sm text-slate-500 dark:text-slate-400">{t('loading')}</p>}

      {data && (
        <div data-kpis="" aria-busy={overview.isPlaceholderData}
          className={`grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4 ${overview.isPlaceholderData ? 'opacity-60' : ''}`}>
          {KPIS.map((k) => (
            <KpiCard key={k.name} id={k.name} label={t(k.name)} unit={k.unit} higherIsBetter={k.higherIsBetter} lang={lang}
              previousLabel={t('previous')}
              value={data.kpis.metrics[k.name]} previous={data.kpis.previous[k.name]} change={data.kpis.change[k.name]} />
          ))}
        </div>
      )}

      {data && data.series && (
        <section aria-label={t('chart_title')} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
          <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
            <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('chart_title')}</h2>
            <Segmented<SeriesMetric> label={t('metric')} options={SERIES_METRICS} value={metric} onChange={setMetric} text={(m) => t(m)} />
          </div>
          <SeriesChart lang={lang} unit={SERIES_UNIT[metric]} label={`${t('chart_title')}: ${t(metric)}`} maxLabel={t('max')} emptyLabel={t('no_data')}
            points={data.series.points.map((p) => ({ ts: p.ts, value: p[metric] ?? null }))} />
        </section>
      )}

      {data && (
        <div className="mt-6 grid grid-cols-1 gap-4 md:grid-cols-2">
          <RankTable id="countries" title={t('top_countries')} nameHeader={t('country')} valueHeader={t('gross_volume_usd')}
            rows={data.top_countries.map((c, i) => ({
              key: c.country ?? `unknown-${i}`,
              name: c.country ? `${countryName(c.country, lang)} (${c.country})` : t('unknown'),
              value: formatValue(c.value, 'usd', lang),
            }))} />
          {data.top_merchants && (
            <RankTable id="merchants" title={t('top_merchants')} nameHeader={t('merchant')} valueHeader={t('gross_volume_usd')}
              rows={data.top_merchants.map((m, i) => ({
                key: m.merchant_id ?? `unknown-${i}`,
                name: m.merchant_id ?? t('unknown'),
                value: formatValue(m.value, 'usd', lang),
              }))} />
          )}
        </div>
      )}
    </div>
  );
}
