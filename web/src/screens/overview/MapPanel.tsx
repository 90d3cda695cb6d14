// The overview's map of Africa, shaded by a chosen KPI per country (the overview's `countries`:
// every country of the caller's scope). The map itself (d3-geo and the shapes) is a separate
// chunk loaded after the first paint; a box of the map's proportions holds its place meanwhile.

import { Component, lazy, Suspense, useState, type ReactNode } from 'react';
import type { CountryItem } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import { colon, translate, type Lang, type MessageKey } from '../../i18n.ts';
import type { Metrics } from '../../metric-registry.ts';
import { Segmented } from '../../components/Segmented.tsx';
import { MAP_HEIGHT, MAP_WIDTH } from '../../map/frame.ts';

const AfricaMap = lazy(() => import('../../components/AfricaMap.tsx').then((m) => ({ default: m.AfricaMap })));

/** The KPIs a country can be shaded by (their names and units are the registry's). */
const MAP_METRICS = ['gross_volume_usd', 'tx_count', 'success_rate', 'refund_rate', 'chargeback_rate'] as const;
type MapMetric = (typeof MAP_METRICS)[number];

/** A failed chunk load leaves a message in the card instead of taking the overview down. */
class MapBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() { return { failed: true }; }
  override render() { return this.state.failed ? this.props.fallback : this.props.children; }
}

/** `currency`: the one currency amounts are shown in (the countries' local decimals), else USD. */
export function MapPanel({ countries, lang, metrics, currency = null }: { countries: CountryItem[]; lang: Lang; metrics: Metrics; currency?: string | null }) {
  const [metric, setMetric] = useState<MapMetric>('gross_volume_usd');
  const local = currency && metrics.unit(metric) === 'usd' && metrics.hasLocal(metric) ? currency : null;
  const valueOf = (c: CountryItem) => {
    if (!local) return c.metrics?.[metric] ?? null;
    const v = c.local?.[metric];
    return v === undefined ? null : Number(v);
  };
  const t = (key: MessageKey) => translate(lang, key);
  const placeholder = (text: string) => (
    <div className="mx-auto flex w-full max-w-xl items-center justify-center rounded-xl bg-slate-50 text-sm text-slate-500 dark:bg-slate-900/40 dark:text-slate-400 md:mx-0"
      style={{ aspectRatio: `${MAP_WIDTH} / ${MAP_HEIGHT}` }}>{text}</div>
  );

  return (
    <section data-panel="map" aria-label={t('map_title')} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('map_title')}{metrics.unit(metric) === 'usd' ? ` (${local ?? 'USD'})` : ''}</h2>
        {/* Five metrics do not fit a phone's width on one line: the buttons wrap. */}
        <div className="max-w-full [&>[role=group]]:flex-wrap">
          <Segmented<MapMetric> label={`${t('map_title')}${colon(lang)} ${t('metric')}`} options={MAP_METRICS} value={metric} onChange={setMetric} text={(m) => metrics.label(m, lang)} />
        </div>
      </div>
      <MapBoundary fallback={placeholder(t('map_unavailable'))}>
        <Suspense fallback={placeholder(t('loading'))}>
          <AfricaMap lang={lang} unit={metrics.unit(metric)}
            format={local ? (v) => formatMoney(v === null || v === undefined ? null : String(v), local, lang) : undefined}
            values={countries.map((c) => ({ country: c.country, value: valueOf(c) }))}
            labels={{
              map: `${t('map_label')}${colon(lang)} ${metrics.label(metric, lang)}`, noData: t('map_no_data'), hint: t('map_hint'), outside: t('map_outside'),
              unknown: t('unknown'), min: t('map_min'), max: t('max'),
            }} />
        </Suspense>
      </MapBoundary>
    </section>
  );
}
