// Drill-down: region → country → city → merchant. Each level shows the KPI cards for its scope
// (the overview call with the scope's filters) and the breakdown of the next level; a row goes
// down, the breadcrumbs go up. The scope lives in the URL (`?screen=drill&region=ECOWAS&country=SN`).

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, tokenMerchantId, type KpiName, type Overview, type RankItem } from '../api.ts';
import { KpiCard } from '../components/KpiCard.tsx';
import { focusRing } from '../components/Segmented.tsx';
import { countryName, formatValue, type Unit } from '../format.ts';
import { translate, type MessageKey } from '../i18n.ts';
import { DRILL_KEYS, rangeBounds, type DrillScope, type View } from '../url-state.ts';

const KPIS: Array<{ name: KpiName; unit: Unit; higherIsBetter: boolean }> = [
  { name: 'gross_volume_usd', unit: 'usd', higherIsBetter: true },
  { name: 'tx_count', unit: 'count', higherIsBetter: true },
  { name: 'success_rate', unit: 'ratio', higherIsBetter: true },
  { name: 'refund_rate', unit: 'ratio', higherIsBetter: false },
];
const LEVEL_LABEL: Record<(typeof DRILL_KEYS)[number], MessageKey> = { region: 'region', country: 'country', city: 'city', merchant_id: 'merchant' };

export function Drill({ token, view }: { token: string; view: View }) {
  const { lang, range, drill, setDrill } = view;
  const t = (key: MessageKey) => translate(lang, key);
  // A merchant cannot rank merchants: its drill-down stops at the city.
  const levels = tokenMerchantId(token) === null ? DRILL_KEYS : DRILL_KEYS.slice(0, 3);
  const set = DRILL_KEYS.filter((k) => drill[k] !== undefined);
  const next = levels[set.length];
  const filters: Record<string, string> = {};
  for (const k of set) filters[k] = drill[k]!;

  const overview = useQuery({
    queryKey: ['drill-overview', token, range, filters],
    queryFn: () => apiGet<Overview>('/api/analytics/overview', token, { ...rangeBounds(range), ...filters }),
    placeholderData: keepPreviousData,
  });
  const breakdown = useQuery({
    queryKey: ['drill-breakdown', token, range, filters, next],
    queryFn: () => apiGet<{ items: Array<RankItem & { key: string | null }> }>('/api/analytics/breakdown',
      token, { ...rangeBounds(range), ...filters, dimension: next! }),
    enabled: next !== undefined,
  });

  const up = (depth: number) => {
    const scope: DrillScope = {};
    for (const k of set.slice(0, depth)) scope[k] = drill[k];
    setDrill(scope);
  };
  const down = (key: string) => setDrill({ ...drill, [next!]: key });
  const name = (k: string, v: string) => (k === 'country' ? `${countryName(v, lang)} (${v})` : v);
  const crumb = `rounded px-1 text-indigo-700 dark:text-indigo-300 hover:underline ${focusRing}`;

  return (
    <div>
      <header className="mb-4">
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
      </header>

      {overview.error && <div role="alert" className="mb-4 rounded-2xl bg-rose-50 p-4 text-sm text-rose-800 ring-1 ring-rose-200">{t('load_failed')} {overview.error.message}</div>}
      {overview.data && (
        <div data-kpis="" aria-busy={overview.isPlaceholderData} className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {KPIS.map((k) => (
            <KpiCard key={k.name} id={k.name} label={t(k.name)} unit={k.unit} higherIsBetter={k.higherIsBetter} lang={lang}
              previousLabel={t('previous')} value={overview.data.kpis.metrics[k.name]}
              previous={overview.data.kpis.previous[k.name]} change={overview.data.kpis.change[k.name]} />
          ))}
        </div>
      )}

      {next && (
        <section data-breakdown={next} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
          <h2 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-200">{t('breakdown_by')} {t(LEVEL_LABEL[next]).toLowerCase()}</h2>
          {breakdown.error && <p role="alert" className="text-sm text-rose-700">{breakdown.error.message}</p>}
          <table className="w-full text-sm">
            <thead><tr className="text-left text-xs text-slate-500 dark:text-slate-400"><th className="py-1">{t(LEVEL_LABEL[next])}</th><th className="py-1 text-right">{t('gross_volume_usd')}</th><th className="py-1 text-right">{t('tx_count')}</th></tr></thead>
            <tbody>
              {(breakdown.data?.items ?? []).map((item, i) => (
                <tr key={item.key ?? `unknown-${i}`} data-row={item.key ?? ''} className="border-t border-slate-100 dark:border-slate-700">
                  <td className="py-1.5">
                    {item.key
                      ? <button type="button" className={`text-left text-indigo-700 dark:text-indigo-300 hover:underline ${focusRing}`} onClick={() => down(item.key!)}>{name(next, item.key)}</button>
                      : t('unknown')}
                  </td>
                  <td className="py-1.5 text-right tabular-nums">{formatValue(item.value, 'usd', lang)}</td>
                  <td className="py-1.5 text-right tabular-nums">{formatValue(item.metrics?.tx_count, 'count', lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
