// The Events screen: generic event analytics (docs/custom-events.md). Pick an event type and one
// of its measures, an interval and a period, and see the events per interval and the measure's
// p50/p95/p99 over time — or, grouped by a dimension, one statistic per group (the six groups
// with most events) — with a table of every interval holding events. Percentiles come from the
// rollups' sketches; the stated accuracy is shown. The choice lives in the URL. Offered to a
// platform-wide token with analytics:view: custom events belong to no merchant.

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Segmented } from '../components/Segmented.tsx';
import { SeriesChart } from '../components/SeriesChart.tsx';
import { LinesChart, type Line } from '../components/LinesChart.tsx';
import { Refusal, type RefusalWords } from '../components/Refusal.tsx';
import { formatDateTime } from '../format.ts';
import { LOCALE, type Lang, type MessageKey } from '../i18n.ts';
import { can, useMe } from '../me.ts';
import {
  EVENT_INTERVALS, INTERVAL_MS, STATISTICS, eventStats, listDefinitions, statValue,
  type Definition, type EventInterval, type Statistic, type Stats,
} from '../events-api.ts';
import { isoDate, nextDay, startOfDate } from '../zoned-time.ts';
import type { View } from '../url-state.ts';
import { card, fieldBase, labelText, translator, type T } from './alerts/ui.tsx';

/** Secondary text, readable on the page's background as on a card (contrast ≥ 4.5:1). */
const muted = 'text-sm text-slate-600 dark:text-slate-400';

/** The periods offered, and the interval each starts with. */
const PERIODS = ['24h', '7d', '30d', '90d'] as const;
type Period = (typeof PERIODS)[number];
const DEFAULT_INTERVAL: Record<Period, EventInterval> = { '24h': '1h', '7d': '1h', '30d': '1d', '90d': '1d' };
/** The API's bucket cap: longer series are refused (range_too_large); the screen never asks for one. */
const MAX_BUCKETS = 10_000;
const TOP_GROUPS = 6;
const TABLE_ROWS = 200;

/** The server's own message for every refusal (the screen's choices are checked before asking). */
const words = (t: T): RefusalWords => ({ refused: t('ev_refused'), networkError: t('ev_network_error'), known: () => null });

const isPeriod = (v: string): v is Period => (PERIODS as readonly string[]).includes(v);

/**
 * The period's [from, to) on the interval's boundaries, so the API merges whole rollup rows:
 * days end at the zone's next midnight, shorter intervals at the next multiple of the interval.
 */
export function periodBounds(period: Period, interval: EventInterval, tz: string, now = Date.now()): { from: string; to: string } {
  const days = period === '24h' ? 1 : Number(period.slice(0, -1));
  if (interval === '1d') {
    const to = nextDay(isoDate(now, tz), tz);
    const first = new Date(Date.parse(`${isoDate(now, tz)}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    return { from: new Date(startOfDate(first, tz)).toISOString(), to: new Date(to).toISOString() };
  }
  const step = INTERVAL_MS[interval];
  const to = Math.ceil(now / step) * step;
  return { from: new Date(to - days * 86_400_000).toISOString(), to: new Date(to).toISOString() };
}

function numberFormat(lang: Lang, unit: string | null): (v: number) => string {
  const f = new Intl.NumberFormat(LOCALE[lang], { maximumSignificantDigits: 4 });
  const suffix = unit === 'ms' || unit === 's' || unit === 'percent' ? (unit === 'percent' ? ' %' : ` ${unit}`) : '';
  return (v) => `${f.format(v)}${suffix}`;
}

export function Events({ token, view }: { token: string; view: View }) {
  const t = translator(view.lang);
  const me = useMe(token);
  const allowed = can(me.data, 'analytics:view') && !me.data?.merchant_id;
  const defs = useQuery({ queryKey: ['custom-events', token], queryFn: () => listDefinitions(token), enabled: allowed, staleTime: 60_000 });
  if (me.isPending) return <p className={muted}>{t('loading')}</p>;
  if (me.error) return <Refusal error={me.error} words={words(t)} />;
  if (!allowed) return <p role="alert" data-field="no-events" className={muted}>{t('ev_no_access')}</p>;
  return (
    <div data-events-view>
      <header className="mb-4">
        <h1 className="text-2xl font-semibold">{t('screen_events')}</h1>
        <p className={muted}>{t('ev_subtitle')}</p>
      </header>
      {defs.isPending ? <p className={muted}>{t('loading')}</p>
        : defs.error ? <Refusal error={defs.error} words={words(t)} />
        : defs.data.items.length === 0 ? <p data-field="none-defined" className={`${card} text-sm`}>{t('ev_none_defined')}</p>
        : <Explorer token={token} view={view} t={t} definitions={defs.data.items} />}
    </div>
  );
}

function Explorer({ token, view, t, definitions }: { token: string; view: View; t: T; definitions: Definition[] }) {
  const choice = view.events;
  const def = definitions.find((d) => d.name === choice.event) ?? definitions[0];
  const measures = def.properties.filter((p) => p.role === 'measure');
  const dimensions = def.properties.filter((p) => p.role === 'dimension');
  const measure = measures.find((m) => m.name === choice.measure) ?? (choice.measure === '' ? undefined : measures[0]);
  const group = dimensions.find((d) => d.name === choice.group);
  const period: Period = isPeriod(view.range) ? view.range : '24h';
  const interval: EventInterval = (EVENT_INTERVALS as readonly string[]).includes(choice.interval ?? '') ? choice.interval as EventInterval : DEFAULT_INTERVAL[period];
  const stat: Statistic = (STATISTICS as readonly string[]).includes(choice.stat ?? '') ? choice.stat as Statistic : 'p95';
  const days = period === '24h' ? 1 : Number(period.slice(0, -1));
  const tooFine = (iv: EventInterval) => (days * 86_400_000) / INTERVAL_MS[iv] > MAX_BUCKETS;
  const usable = EVENT_INTERVALS.filter((iv) => !tooFine(iv));
  const shownInterval = tooFine(interval) ? DEFAULT_INTERVAL[period] : interval;
  const set = (patch: Partial<typeof choice>) => view.setEvents({ ...choice, event: def.name, ...patch });

  const bounds = periodBounds(period, shownInterval, view.tz);
  const stats = useQuery({
    queryKey: ['custom-event-stats', token, def.name, measure?.name, shownInterval, bounds.from, bounds.to, view.tz, group?.name],
    queryFn: () => eventStats(token, def.name, { measure: measure?.name, interval: shownInterval, ...bounds, tz: view.tz, group_by: group?.name }),
    refetchInterval: 60_000,
  });

  const select = (name: string, label: MessageKey, value: string, options: Array<[string, string]>, onChange: (v: string) => void) => (
    <label className={labelText}>
      {t(label)}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)} className={`${fieldBase} mt-1 block w-full sm:w-56`}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </label>
  );

  return (
    <>
      <div className={`${card} mb-4 flex flex-wrap items-end gap-4`}>
        {select('event', 'ev_type', def.name, definitions.map((d) => [d.name, d.name]), (v) => view.setEvents({ event: v, interval: choice.interval }))}
        {select('measure', 'ev_measure', measure?.name ?? '', [...measures.map((m): [string, string] => [m.name, `${m.name} (${m.unit})`]), ['', t('ev_measure_none')]],
          (v) => set({ measure: v }))}
        {select('group', 'ev_group_by', group?.name ?? '', [['', t('ev_group_none')], ...dimensions.map((d): [string, string] => [d.name, d.name])], (v) => set({ group: v || undefined }))}
        <div>
          <span className={labelText}>{t('ev_range')}</span>
          <div className="mt-1"><Segmented<Period> label={t('ev_range')} options={PERIODS} value={period} onChange={(p) => { view.setRange(p); set({ interval: DEFAULT_INTERVAL[p] }); }} text={(p) => t(`preset_${p}` as MessageKey)} /></div>
        </div>
        <div>
          <span className={labelText}>{t('ev_interval')}</span>
          <div className="mt-1"><Segmented<EventInterval> label={t('ev_interval')} options={usable} value={shownInterval} onChange={(iv) => set({ interval: iv })} text={(iv) => iv} /></div>
        </div>
        {group && measure && (
          <div>
            <span className={labelText}>{t('ev_statistic')}</span>
            <div className="mt-1"><Segmented<Statistic> label={t('ev_statistic')} options={STATISTICS} value={stat} onChange={(s) => set({ stat: s })} text={(s) => t(`ev_stat_${s}` as MessageKey)} /></div>
          </div>
        )}
      </div>
      {stats.error ? <Refusal error={stats.error} words={words(t)} />
        : !stats.data ? <p className={muted}>{t('loading')}</p>
        : <Answer stats={stats.data} view={view} t={t} stat={stat} intervalMs={INTERVAL_MS[shownInterval]} />}
    </>
  );
}

function Answer({ stats, view, t, stat, intervalMs }: { stats: Stats; view: View; t: T; stat: Statistic; intervalMs: number }) {
  const lang = view.lang;
  const fmt = useMemo(() => numberFormat(lang, stats.unit), [lang, stats.unit]);
  const xs = useMemo(() => stats.buckets.map((b) => Date.parse(b)), [stats.buckets]);
  const index = useMemo(() => new Map(stats.buckets.map((b, i) => [Date.parse(b), i])), [stats.buckets]);
  const counts = useMemo(() => {
    const c = new Array<number>(xs.length).fill(0);
    for (const it of stats.items) c[index.get(Date.parse(it.bucket))!] += it.count;
    return c;
  }, [stats.items, index, xs.length]);
  const lines = useMemo<Line[]>(() => {
    if (!stats.measure) return [];
    const column = (pick: (i: number) => number | null) => xs.map((_, i) => pick(i));
    if (stats.group_by === null) {
      const byBucket = new Map(stats.items.map((it) => [Date.parse(it.bucket), it]));
      return (['p50', 'p95', 'p99'] as const).map((s) => ({ label: s, values: column((i) => statValue(byBucket.get(xs[i]), s)) }));
    }
    const totals = new Map<string, number>();
    for (const it of stats.items) totals.set(it.group ?? '', (totals.get(it.group ?? '') ?? 0) + it.count);
    const top = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_GROUPS).map(([g]) => g);
    return top.map((g) => {
      const byBucket = new Map(stats.items.filter((it) => (it.group ?? '') === g).map((it) => [Date.parse(it.bucket), it]));
      return { label: g === '' ? '–' : g, values: column((i) => statValue(byBucket.get(xs[i]), stat)) };
    });
  }, [stats, xs, stat]);
  const last = xs[xs.length - 1];
  const partial = last !== undefined && last + intervalMs > Math.min(Date.parse(stats.to), Date.now());
  const points = xs.map((x, i) => ({ ts: new Date(x).toISOString(), value: counts[i] }));
  const rows = stats.items.slice(-TABLE_ROWS).reverse();
  const pct = (x: number) => new Intl.NumberFormat(LOCALE[lang], { style: 'percent', maximumFractionDigits: 2 }).format(x);
  const accuracy = t('ev_accuracy').replace('{q}', pct(stats.accuracy.quantile_relative_error)).replace('{grain}', stats.grain)
    .replace('{u}', pct(stats.accuracy.distinct_users_standard_error));
  const chartTitle = stats.group_by === null
    ? `${t('ev_quantile_chart')} ${stats.measure}${stats.unit ? ` (${stats.unit})` : ''}`
    : `${stats.measure}${stats.unit ? ` (${stats.unit})` : ''}, ${t('ev_group_chart')} ${t(`ev_stat_${stat}` as MessageKey)} (${t('ev_top_groups')})`;

  return (
    <div data-events-answer data-event-type={stats.event_type} data-grain={stats.grain} className="space-y-4">
      {stats.definition_version === null && <p className={`${card} text-sm`}>{t('ev_undefined_note')}</p>}
      <section className={card}>
        <h2 className="mb-2 text-base font-semibold">{t('ev_count_chart')}</h2>
        <SeriesChart points={points} partial={partial} unit="count" lang={lang} tz={view.tz} label={t('ev_count_chart')} emptyLabel={t('ev_empty')} />
      </section>
      {lines.length > 0 && (
        <section className={card} data-section="measure-chart">
          <h2 className="mb-2 text-base font-semibold">{chartTitle}</h2>
          {stats.items.length === 0 ? <p className={muted}>{t('ev_empty')}</p>
            : <LinesChart xs={xs} lines={lines} format={fmt} lang={lang} tz={view.tz} label={chartTitle} />}
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400" data-field="accuracy">{accuracy}</p>
        </section>
      )}
      <section className={card}>
        <h2 className="mb-2 text-base font-semibold">{t('ev_table')}</h2>
        {stats.items.length === 0 ? <p className={muted}>{t('ev_empty')}</p> : (
          <div role="region" aria-label={t('ev_table')} tabIndex={0} className="overflow-x-auto rounded focus-visible:outline-2 focus-visible:outline-indigo-600">
            {stats.items.length > TABLE_ROWS && <p className={muted}>{t('ev_too_many_rows').replace('{n}', String(TABLE_ROWS)).replace('{total}', String(stats.items.length))}</p>}
            <table data-table="event-stats" className="w-full text-left text-sm">
              <thead className="text-xs text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-1 pr-3">{t('ev_bucket')}</th>
                  {stats.group_by !== null && <th scope="col" className="py-1 pr-3">{t('ev_group')} ({stats.group_by})</th>}
                  <th scope="col" className="py-1 pr-3 text-right">{t('ev_count')}</th>
                  <th scope="col" className="hidden py-1 pr-3 text-right sm:table-cell">{t('ev_users')}</th>
                  {stats.measure && (['p50', 'p95', 'p99'] as const).map((s) => <th key={s} scope="col" className="py-1 pr-3 text-right">{s}</th>)}
                </tr>
              </thead>
              <tbody>
                {rows.map((it) => (
                  <tr key={`${it.bucket}|${it.group ?? ''}`} data-bucket={it.bucket} data-group={it.group} className="border-t border-slate-100 dark:border-slate-700">
                    <td className="py-1 pr-3 whitespace-nowrap">{formatDateTime(it.bucket, lang, view.tz)}</td>
                    {stats.group_by !== null && <td className="py-1 pr-3">{it.group === '' ? '–' : it.group}</td>}
                    <td data-cell="count" className="py-1 pr-3 text-right tabular-nums">{new Intl.NumberFormat(LOCALE[lang]).format(it.count)}</td>
                    <td className="hidden py-1 pr-3 text-right tabular-nums sm:table-cell">{new Intl.NumberFormat(LOCALE[lang]).format(it.distinct_users)}</td>
                    {stats.measure && (['p50', 'p95', 'p99'] as const).map((s) => {
                      const v = statValue(it, s);
                      return <td key={s} data-cell={s} data-value={v ?? ''} className="py-1 pr-3 text-right tabular-nums">{v === null ? '–' : fmt(v)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
