// Health by region: each mesh region (GET /regions: its name, its members by status) with its
// routing tables at their current version (GET /routing) and, per route, the provider traffic
// goes to first (the primary) and its fallbacks. Provider scores need the predictions API, which
// this server does not have yet: the page says what it shows instead.

import { useQuery } from '@tanstack/react-query';
import { meshGet, type Region, type TableVersion } from '../../mesh-api.ts';
import { card } from '../alerts/ui.tsx';
import { useRouting } from './context.ts';
import { Badge, band, ListState, methodName, Providers, ScrollX, sub, td, th } from './ui.tsx';

export function Health() {
  const { token, lang, t } = useRouting();
  const regions = useQuery({ queryKey: ['mesh-regions', token], queryFn: () => meshGet<{ items: Region[] }>(token, '/regions'), refetchInterval: 60_000 });
  const tables = useQuery({ queryKey: ['mesh-tables', token], queryFn: () => meshGet<{ items: TableVersion[] }>(token, '/routing'), refetchInterval: 30_000 });
  const byRegion = new Map<string, TableVersion[]>();
  for (const v of tables.data?.items ?? []) byRegion.set(v.region, [...(byRegion.get(v.region) ?? []), v]);
  return (
    <div className="space-y-4">
      <p className={sub}>{t('r_health_note')}</p>
      <ListState loading={regions.isPending || tables.isPending} error={regions.error ?? tables.error} empty={false} t={t} />
      <div className="grid gap-4 lg:grid-cols-2">
        {(regions.data?.items ?? []).map((r) => {
          const own = (byRegion.get(r.region) ?? []).sort((a, b) => a.currency.localeCompare(b.currency));
          return (
            <section key={r.region} aria-label={r.name[lang]} data-region={r.region} className={card}>
              <h2 className="text-lg font-semibold">{r.name[lang]}</h2>
              <p className={`${sub} mt-1`} data-field="members">
                {t('r_members')}: {r.members.active} {t('r_members_active')}
                {r.members.pending_approval > 0 && <> · {r.members.pending_approval} {t('r_members_pending')}</>}
                {r.members.suspended > 0 && <> · {r.members.suspended} {t('r_members_suspended')}</>}
              </p>
              {own.length === 0 ? <p data-state="empty" className={`${sub} mt-3`}>{t('r_region_no_tables')}</p> : own.map((v) => (
                <div key={v.currency} data-health-table={`${v.region}/${v.currency}`} className="mt-3">
                  <h3 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
                    {v.currency} <span className="font-normal text-slate-600 dark:text-slate-400">{t('r_version')} {v.version}</span> <Badge value={v.kind} prefix="r_kind_" t={t} />
                  </h3>
                  <div className="mt-1"><ScrollX label={`${r.name[lang]} ${v.currency}`}>
                    <table className="w-full min-w-[24rem] text-sm">
                      <thead><tr>
                        <th scope="col" className={th}>{t('r_method')}</th>
                        <th scope="col" className={th}>{t('r_band')}</th>
                        <th scope="col" className={th}>{t('r_primary')}</th>
                        <th scope="col" className={th}>{t('r_fallbacks')}</th>
                      </tr></thead>
                      <tbody>
                        {v.routes.map((x) => (
                          <tr key={`${x.method}|${x.min_amount}|${x.max_amount ?? ''}`} className="border-t border-slate-200 dark:border-slate-700">
                            <td className={td}><code className="text-xs">{methodName(x.method, t)}</code></td>
                            <td className={`${td} tabular-nums`}>{band(x, v.currency, lang, t)}</td>
                            <td className={td} data-field="primary"><code className="rounded bg-indigo-100 px-1 text-xs font-semibold text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100">{x.providers[0] ?? '—'}</code></td>
                            <td className={td}><Providers providers={x.providers.slice(1)} t={t} fallbacks /></td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </ScrollX></div>
                </div>
              ))}
            </section>
          );
        })}
      </div>
    </div>
  );
}
