// What the overview and every drill-down level show for their scope: the KPI cards (with the
// previous period, the change and a sparkline), the series chart with metric and granularity
// selectors, the map (overview only) and the rankings. Amounts are in USD, or — with one currency
// selected and "amounts in" set to it — the API's exact local sums. Which KPIs, their names and
// units come from the metric registry.

import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, pointValue, type Overview, type SeriesPoint } from '../../api.ts';
import { KpiCard, KpiSkeleton } from '../../components/KpiCard.tsx';
import { RankTable } from '../../components/RankTable.tsx';
import { Segmented, focusRing } from '../../components/Segmented.tsx';
import { SeriesChart } from '../../components/SeriesChart.tsx';
import { countryName, formatMoney, formatMoneyCompact, formatUsdShort, formatValue } from '../../format.ts';
import { colon, translate, type MessageKey } from '../../i18n.ts';
import { useMerchantNames } from '../../merchant-names.ts';
import { useMetrics } from '../../metric-registry.ts';
import { scopeParams, type View } from '../../url-state.ts';
import { lastBucketPartial } from '../../series-chart-data.ts';
import { MapPanel } from './MapPanel.tsx';

/** Skeleton cards shown before the registry says how many KPIs there are: one row. */
const SKELETON_CARDS = 4;

const GRANULARITIES = ['auto', 'hour', 'day', 'week', 'month'] as const;
type Granularity = (typeof GRANULARITIES)[number];
/** The longest range each granularity is offered for (a year of hours is 8,784 points at most). */
const MAX_SPAN_DAYS: Record<Granularity, number> = { auto: Infinity, hour: 366, day: 3660, week: Infinity, month: Infinity };

const card = 'rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700';

/** A point's local decimal as a number, for a sparkline's shape (null when absent). */
function localNumber(p: SeriesPoint, name: string): number | null {
  const v = p.local?.[name];
  return v === undefined ? null : Number(v);
}

/** The local-currency change, from the exact decimal strings (a float is fine for a percentage). */
function localChange(cur: string | undefined, prev: string | undefined): number | null {
  if (cur === undefined || prev === undefined) return null;
  const c = Number(cur), p = Number(prev);
  return p === 0 ? null : (c - p) / Math.abs(p);
}

export function OverviewBody({ token, view, data, placeholder, filters = {}, withMap = false }: {
  token: string; view: View; data: Overview | undefined; placeholder: boolean; filters?: Record<string, string>; withMap?: boolean;
}) {
  const { lang, tz } = view;
  const t = (key: MessageKey) => translate(lang, key);
  const metrics = useMetrics(token);
  const [chosenMetric, setMetric] = useState<string | null>(null);
  const metric = chosenMetric ?? metrics.kpis[0] ?? '';
  const [granularity, setGranularity] = useState<Granularity>('auto');
  const merchantNames = useMerchantNames(token, useMemo(() => (data?.top_merchants ?? []).map((m) => m.merchant_id), [data?.top_merchants]));
  const local = view.currency && view.shown === 'local' && data?.currency === view.currency && data.kpis.local ? view.currency : null;

  const bounds = data ? { from: Date.parse(data.from), to: Date.parse(data.to) } : null;
  const spanDays = bounds ? (bounds.to - bounds.from) / 86_400_000 : 0;
  const offered = GRANULARITIES.filter((g) => spanDays <= MAX_SPAN_DAYS[g]);
  const chosen = offered.includes(granularity) ? granularity : 'auto';
  // A chosen granularity asks for that series alone (its refusal stays in the chart).
  const series = useQuery({
    queryKey: ['series', token, chosen, data?.from, data?.to, tz, view.currency, filters],
    queryFn: () => apiGet<{ granularity: string; points: SeriesPoint[] }>('/api/analytics/timeseries', token, {
      ...scopeParams(view), from: data!.from, to: data!.to, ...filters, metrics: metrics.kpis.join(','), granularity: chosen,
    }),
    enabled: chosen !== 'auto' && !!data && metrics.ready,
    // The window slides every refresh: keep the last series drawn meanwhile (no skeleton flash).
    placeholderData: keepPreviousData,
  });
  // The previous period for a chosen granularity: the same series one span earlier (the overview
  // answers it for its own granularity). Past retention it is refused: then the chart has none.
  const span = bounds ? bounds.to - bounds.from : 0;
  const previousSeries = useQuery({
    queryKey: ['series-previous', token, chosen, data?.from, data?.to, tz, view.currency, filters],
    queryFn: () => apiGet<{ granularity: string; points: SeriesPoint[] }>('/api/analytics/timeseries', token, {
      ...scopeParams(view), from: new Date(bounds!.from - span).toISOString(), to: data!.from, ...filters, metrics: metrics.kpis.join(','), granularity: chosen,
    }),
    enabled: chosen !== 'auto' && !!data && metrics.ready,
    placeholderData: keepPreviousData,
    retry: false,
  });
  // With a currency shown in its own unit, a money metric is charted from the points' local
  // decimals (as numbers: a chart plots numbers; the values shown are formatted back as money).
  const chartLocal = view.currency && view.shown === 'local' && data?.currency === view.currency && metrics.unit(metric) === 'usd' && metrics.hasLocal(metric)
    ? view.currency : null;
  const chartValue = (p: SeriesPoint) => (chartLocal ? localNumber(p, metric) : pointValue(p, metric));
  const points = chosen === 'auto' ? data?.series.points : series.data?.points;
  const previousPoints = chosen === 'auto' ? data?.series.previous : previousSeries.data?.points;
  const shownGranularity = chosen === 'auto' ? data?.series.granularity : series.data?.granularity;

  if (metrics.error) return <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">{t('load_failed')} {metrics.error.message}</p>;
  if (!data || !metrics.ready) {
    return (
      <div data-kpis="" aria-busy="true" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {Array.from({ length: metrics.kpis.length || SKELETON_CARDS }, (_, i) => <KpiSkeleton key={i} />)}
      </div>
    );
  }

  const label = (name: string) => metrics.label(name, lang);
  const trendPartial = lastBucketPartial(data.series.points, data.series.granularity, Date.parse(data.to), Date.now(), data.tz);
  const money = (name: string, which: 'local' | 'previous_local') => formatMoneyCompact(data.kpis[which]?.[name], local!, lang);
  const rankValue = (item: { value: number | null; local?: Record<string, string> }) => (local
    ? { value: formatMoneyCompact(item.local?.gross_volume_usd, local, lang), full: formatMoney(item.local?.gross_volume_usd, local, lang) }
    : { value: formatUsdShort(item.value, lang), full: formatValue(item.value, metrics.unit('gross_volume_usd'), lang) });
  // With a currency chosen, a USD figure that has no local form says so in its label.
  const inUsd = (name: string, text: string) => (view.currency && metrics.unit(name) === 'usd' ? `${text} (USD)` : text);
  const volumeHeader = local ? `${label('gross_volume_usd')} (${local})` : inUsd('gross_volume_usd', label('gross_volume_usd'));
  const asNumber = (v: string | undefined) => (v === undefined ? undefined : Number(v));

  return (
    <>
      <div data-kpis="" aria-busy={placeholder}
        className={`grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4 ${placeholder ? 'opacity-60' : ''}`}>
        {metrics.kpis.map((name) => {
          // Every money metric the registry has in local form (an average with no sale is absent: "—").
          const inLocal = local !== null && metrics.hasLocal(name);
          return (
            <KpiCard key={name} id={name} label={inLocal ? `${label(name)} (${local})` : inUsd(name, label(name))} unit={metrics.unit(name)}
              higherIsBetter={metrics.higherIsBetter(name)} lang={lang} previousLabel={t('previous')}
              value={inLocal ? asNumber(data.kpis.local?.[name]) : data.kpis.metrics[name]}
              previous={inLocal ? asNumber(data.kpis.previous_local?.[name]) : data.kpis.previous[name]}
              change={inLocal ? localChange(data.kpis.local?.[name], data.kpis.previous_local?.[name]) : data.kpis.change[name]}
              text={inLocal ? { value: money(name, 'local'), previous: money(name, 'previous_local'), full: formatMoney(data.kpis.local?.[name], local!, lang) } : undefined}
              trend={data.series.points.map((p) => (inLocal ? localNumber(p, name) : pointValue(p, name)))} trendPartial={trendPartial} />
          );
        })}
      </div>

      <section aria-label={t('chart_title')} className={`mt-6 ${card}`}>
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <h2 data-field="chart-title" className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('chart_title')}{metrics.unit(metric) === 'usd' ? ` (${chartLocal ?? 'USD'})` : ''}</h2>
          <div className="flex flex-wrap items-center gap-3">
            <label className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
              {t('metric')}
              <select data-control="metric" value={metric} onChange={(e) => setMetric(e.target.value)}
                className={`rounded-lg bg-white px-2 py-1.5 text-sm ring-1 ring-slate-300 dark:bg-slate-800 dark:ring-slate-600 ${focusRing}`}>
                {metrics.kpis.map((name) => <option key={name} value={name}>{label(name)}</option>)}
              </select>
            </label>
            <Segmented<Granularity> label={t('granularity')} options={offered} value={chosen} onChange={setGranularity}
              text={(g) => t(`granularity_${g}` as MessageKey)} />
          </div>
        </div>
        {series.error && chosen !== 'auto'
          ? <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">{t('load_failed')} {series.error.message}</p>
          : !points
            ? <div aria-hidden="true" className="h-48 animate-pulse rounded-xl bg-slate-100 dark:bg-slate-700/60" />
            : <SeriesChart lang={lang} tz={tz} unit={metrics.unit(metric)} currency={chartLocal} label={`${t('chart_title')}${colon(lang)} ${label(metric)}`} emptyLabel={t('no_data')}
                points={points.map((p) => ({ ts: p.ts, value: chartValue(p) }))}
                previous={previousPoints?.map((p) => ({ ts: p.ts, value: chartValue(p) })) ?? null}
                partial={lastBucketPartial(points, shownGranularity ?? '', Date.parse(data.to), Date.now(), data.tz)} />}
      </section>

      {withMap && <MapPanel countries={data.countries} lang={lang} metrics={metrics} currency={local} />}

      <div className="mt-6 grid grid-cols-1 gap-4 md:grid-cols-2">
        <RankTable id="countries" title={t('top_countries')} nameHeader={t('country')} valueHeader={volumeHeader}
          rows={data.top_countries.map((c, i) => ({
            key: c.country ?? `unknown-${i}`,
            name: c.country ? `${countryName(c.country, lang)} (${c.country})` : t('unknown'),
            ...rankValue(c),
          }))} />
        {data.top_merchants && (
          <RankTable id="merchants" title={t('top_merchants')} nameHeader={t('merchant')} valueHeader={volumeHeader}
            rows={data.top_merchants.map((m, i) => ({ key: m.merchant_id ?? `unknown-${i}`, name: m.merchant_id ? merchantNames.label(m.merchant_id) : t('unknown'), ...rankValue(m) }))} />
        )}
      </div>
    </>
  );
}
