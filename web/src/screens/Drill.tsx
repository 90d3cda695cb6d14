// Drill-down: region → country → city → merchant. Each level shows the KPI cards for its scope
// (the overview call with the scope's filters) and the breakdown of the next level; a row goes
// down, the breadcrumbs go up. The scope lives in the URL (`?screen=drill&region=ECOWAS&country=SN`).

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet, tokenMerchantId, type RankItem } from '../api.ts';
import { focusRing } from '../components/Segmented.tsx';
import { ViewControls } from '../components/ViewControls.tsx';
import { regionName } from '../labels.ts';
import { useMerchantNames } from '../merchant-names.ts';
import { countryName, formatMoney, formatMoneyCompact, formatUsdShort, formatValue } from '../format.ts';
import { translate, type MessageKey } from '../i18n.ts';
import { useMetrics } from '../metric-registry.ts';
import { DRILL_KEYS, scopeParams, type DrillScope, type View } from '../url-state.ts';
import { OverviewBody } from './overview/OverviewBody.tsx';
import { Freshness, LoadError, useOverview } from './Overview.tsx';

const LEVEL_LABEL: Record<(typeof DRILL_KEYS)[number], MessageKey> = { region: 'region', country: 'country', city: 'city', merchant_id: 'merchant' };

export function Drill({ token, view }: { token: string; view: View }) {
  const { lang, drill, setDrill } = view;
  const t = (key: MessageKey) => translate(lang, key);
  const metrics = useMetrics(token);
  // A merchant cannot rank merchants: its drill-down stops at the city.
  const levels = tokenMerchantId(token) === null ? DRILL_KEYS : DRILL_KEYS.slice(0, 3);
  const set = DRILL_KEYS.filter((k) => drill[k] !== undefined);
  const next = levels[set.length];
  const filters: Record<string, string> = {};
  for (const k of set) filters[k] = drill[k]!;

  const overview = useOverview(token, view, filters);
  const breakdown = useQuery({
    queryKey: ['drill-breakdown', token, view.range, view.from, view.to, view.tz, view.currency, filters, next],
    queryFn: () => apiGet<{ items: Array<RankItem & { key: string | null }> }>('/api/analytics/breakdown',
      token, { ...scopeParams(view), ...filters, dimension: next! }),
    enabled: next !== undefined,
    refetchInterval: 30_000,
  });
  const local = view.currency && view.shown === 'local' && overview.data?.currency === view.currency ? view.currency : null;

  const up = (depth: number) => {
    const scope: DrillScope = {};
    for (const k of set.slice(0, depth)) scope[k] = drill[k];
    setDrill(scope);
  };
  const down = (key: string) => setDrill({ ...drill, [next!]: key });
  const merchantIds = useMemo(() => [drill.merchant_id, ...(next === 'merchant_id' ? (breakdown.data?.items ?? []).map((i) => i.key) : [])], [drill.merchant_id, next, breakdown.data]);
  const merchants = useMerchantNames(token, merchantIds);
  const name = (k: string, v: string) => (k === 'country' ? `${countryName(v, lang)} (${v})` : k === 'region' ? regionName(v, lang)
    : k === 'merchant_id' ? merchants.label(v) : v);
  const crumb = `rounded px-1 text-indigo-700 dark:text-indigo-300 hover:underline ${focusRing}`;

  return (
    <div>
      <header className="mb-4 flex flex-wrap items-end justify-between gap-4">
        <div>
        <h1 className="text-2xl font-semibold">{t('screen_drill')}</h1>
        <nav aria-label="Breadcrumb" className="mt-2 text-sm">
          <ol className="flex flex-wrap items-center gap-1">
            <li><button type="button" data-crumb="all" className={crumb} onClick={() => up(0)}>{t('all_scope')}</button></li>
            {set.map((k, i) => (
              <li key={k} className="flex items-center gap-1">
                <span aria-hidden="true" className="text-slate-400 dark:text-slate-500">/</span>
                {i === set.length - 1
                  ? <span aria-current="page" data-crumb={k} className="font-medium">{name(k, drill[k]!)}</span>
                  : <button type="button" data-crumb={k} className={crumb} onClick={() => up(i + 1)}>{name(k, drill[k]!)}</button>}
              </li>
            ))}
          </ol>
        </nav>
        </div>
        <ViewControls token={token} view={view} filters={filters} />
      </header>

      {overview.error && <LoadError error={overview.error} lang={lang} />}
      {overview.data && <Freshness data={overview.data} view={view} />}

      {next && (
        <section data-breakdown={next} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
          <h2 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-200">{t('breakdown_by')} {t(LEVEL_LABEL[next]).toLowerCase()}</h2>
          {breakdown.error && <p role="alert" className="text-sm text-rose-700">{breakdown.error.message}</p>}
          <table className="w-full text-sm">
            <thead><tr className="text-left text-xs text-slate-500 dark:text-slate-400"><th className="py-1">{t(LEVEL_LABEL[next])}</th><th className="py-1 pl-3 text-right">{metrics.label('gross_volume_usd', lang)}{local ? ` (${local})` : view.currency ? ' (USD)' : ''}</th><th className="py-1 pl-3 text-right">{metrics.label('tx_count', lang)}</th></tr></thead>
            <tbody>
              {(breakdown.data?.items ?? []).map((item, i) => (
                <tr key={item.key ?? `unknown-${i}`} data-row={item.key ?? ''} className="border-t border-slate-100 dark:border-slate-700">
                  <td className="py-1.5">
                    {item.key
                      ? <button type="button" className={`text-left text-indigo-700 dark:text-indigo-300 hover:underline ${focusRing}`} onClick={() => down(item.key!)}>{name(next, item.key)}</button>
                      : t('unknown')}
                  </td>
                  <td className="py-1.5 pl-3 text-right tabular-nums" title={local ? formatMoney(item.local?.gross_volume_usd, local, lang) : formatValue(item.value, 'usd', lang)}>
                    {local ? formatMoneyCompact(item.local?.gross_volume_usd, local, lang) : formatUsdShort(item.value, lang)}</td>
                  <td className="py-1.5 pl-3 text-right tabular-nums">{formatValue(item.metrics?.tx_count, metrics.unit('tx_count'), lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {!overview.error && (
        <div className="mt-6">
          <OverviewBody token={token} view={view} data={overview.data} placeholder={overview.isPlaceholderData} filters={filters} />
        </div>
      )}
    </div>
  );
}
