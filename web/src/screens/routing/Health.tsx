// Health by region: each mesh region (GET /regions: its name, its members by status) with its
// providers' health — the newest verified prediction per provider × currency × method (GET
// /predictions: score 0–100, confidence) and those refused with their code — and its routing
// tables at their current version (GET /routing), an engaged kill switch marked (GET
// /kill-switches), and per route the provider traffic goes to first (the primary) and its
// fallbacks. mesh:manage may predict now (POST /predictions/generate).

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { colon, LOCALE } from '../../i18n.ts';
import { actionKey, meshGet, meshPost, type Generated, type KillSwitch, type Prediction, type Predictions, type Region, type TableVersion } from '../../mesh-api.ts';
import { btn, card } from '../alerts/ui.tsx';
import { useRouting } from './context.ts';
import { Badge, band, ListState, methodName, pct, Providers, Refused, ScrollX, sub, td, th, when } from './ui.tsx';

/** A score's band: healthy (≥ 70), degraded (40–70), failing (< 40: the mesh moves traffic off it). */
const scoreClass = (score: number) => (score >= 70
  ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100'
  : score >= 40 ? 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100' : 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100');

export function Health() {
  const { token, lang, t } = useRouting();
  const regions = useQuery({ queryKey: ['mesh-regions', token], queryFn: () => meshGet<{ items: Region[] }>(token, '/regions'), refetchInterval: 60_000 });
  const tables = useQuery({ queryKey: ['mesh-tables', token], queryFn: () => meshGet<{ items: TableVersion[] }>(token, '/routing'), refetchInterval: 30_000 });
  const predictions = useQuery({ queryKey: ['mesh-predictions', token], queryFn: () => meshGet<Predictions>(token, '/predictions'), refetchInterval: 60_000 });
  const switches = useQuery({ queryKey: ['mesh-kill-switches', token], queryFn: () => meshGet<{ items: KillSwitch[] }>(token, '/kill-switches'), refetchInterval: 30_000 });
  const byRegion = new Map<string, TableVersion[]>();
  for (const v of tables.data?.items ?? []) byRegion.set(v.region, [...(byRegion.get(v.region) ?? []), v]);
  const health = new Map<string, Prediction[]>();
  for (const p of predictions.data?.items ?? []) health.set(p.region, [...(health.get(p.region) ?? []), p]);
  const engaged = new Set((switches.data?.items ?? []).map((k) => `${k.region}/${k.currency}`));
  const refused = predictions.data?.refused ?? [];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <p className={`${sub} max-w-3xl`}>{t('r_health_note')}</p>
        <PredictNow />
      </div>
      {refused.length > 0 && (
        <p data-field="refused-predictions" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200 dark:bg-amber-950/60 dark:text-amber-100 dark:ring-amber-800">
          {refused.length} {t('r_predictions_refused')}{colon(lang)} {[...new Set(refused.map((r) => r.code))].map((c) => <code key={c} className="mr-1 text-xs">{c}</code>)}
        </p>
      )}
      <ListState loading={regions.isPending || tables.isPending} error={regions.error ?? tables.error ?? predictions.error} empty={false} t={t} />
      <div className="grid gap-4 lg:grid-cols-2">
        {(regions.data?.items ?? []).map((r) => {
          const own = (byRegion.get(r.region) ?? []).sort((a, b) => a.currency.localeCompare(b.currency));
          return (
            <section key={r.region} aria-label={r.name[lang]} data-region={r.region} className={`${card} min-w-0`}>
              <h2 className="text-lg font-semibold">{r.name[lang]}</h2>
              <p className={`${sub} mt-1`} data-field="members">
                {t('r_members')}{colon(lang)} {r.members.active} {t('r_members_active')}
                {r.members.pending_approval > 0 && <> · {r.members.pending_approval} {t('r_members_pending')}</>}
                {r.members.suspended > 0 && <> · {r.members.suspended} {t('r_members_suspended')}</>}
              </p>
              <ProviderHealth items={health.get(r.region) ?? []} label={`${t('r_provider_health')} ${r.name[lang]}`} />
              {own.length === 0 ? <p data-state="empty" className={`${sub} mt-3`}>{t('r_region_no_tables')}</p> : own.map((v) => (
                <div key={v.currency} data-health-table={`${v.region}/${v.currency}`} className="mt-3">
                  <h3 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
                    {v.currency} <span className="font-normal text-slate-600 dark:text-slate-400">{t('r_version')} {v.version}</span> <Badge value={v.kind} prefix="r_kind_" t={t} />
                    {engaged.has(`${v.region}/${v.currency}`) && <span data-field="kill-switch" className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900 ring-1 ring-red-200 dark:bg-red-950 dark:text-red-100 dark:ring-red-800">{t('r_kill_switch_engaged')}</span>}
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

/** A region's providers, healthiest first: score (0–100) and confidence per currency and method. */
function ProviderHealth({ items, label }: { items: Prediction[]; label: string }) {
  const { lang, t, tz } = useRouting();
  if (items.length === 0) return <p data-field="no-predictions" className={`${sub} mt-2`}>{t('r_no_predictions')}</p>;
  const sorted = [...items].sort((a, b) => b.score - a.score || a.provider.localeCompare(b.provider));
  return (
    <div className="mt-3">
      <h3 className="mb-1 text-sm font-semibold">{t('r_provider_health')}</h3>
      <ScrollX label={label}>
        <table className="w-full min-w-[26rem] text-sm">
          <thead><tr>
            <th scope="col" className={th}>{t('r_provider')}</th>
            <th scope="col" className={th}>{t('r_segment')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_score')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_confidence')}</th>
            <th scope="col" className={th}>{t('r_predicted_at')}</th>
          </tr></thead>
          <tbody>
            {sorted.map((p) => (
              <tr key={p.id} data-prediction={`${p.provider}|${p.currency}|${p.method}`} className="border-t border-slate-200 dark:border-slate-700">
                <td className={td}><code className="text-xs">{p.provider}</code></td>
                <td className={td}>{p.currency} · <code className="text-xs">{p.method}</code></td>
                <td className={`${td} text-right tabular-nums`}>
                  <span data-field="score" data-score={p.score} className={`rounded px-1.5 py-0.5 text-xs font-semibold ${scoreClass(p.score)}`}>{new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(p.score)}</span>
                </td>
                <td className={`${td} text-right tabular-nums`} data-field="confidence">{pct(p.confidence, lang)}</td>
                <td className={`${td} whitespace-nowrap text-xs text-slate-600 dark:text-slate-400`}>{when(lang, tz, p.generated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t('r_score_note')}</p>
    </div>
  );
}

/** mesh:manage: score every segment with enough payments now, instead of waiting for the schedule. */
function PredictNow() {
  const { token, t, manager } = useRouting();
  const qc = useQueryClient();
  const predict = useMutation({
    mutationFn: () => meshPost<Generated>(token, '/predictions/generate', {}, actionKey()),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['mesh-predictions'] });
      void qc.invalidateQueries({ queryKey: ['mesh-actions'] });
    },
  });
  if (!manager) return null;
  return (
    <div className="space-y-1 text-sm">
      <button type="button" className={btn} disabled={predict.isPending} onClick={() => predict.mutate()}>{t('r_predict_now')}</button>
      {predict.data && (
        <p role="status" data-field="predicted" data-count={predict.data.items.length} className="text-xs text-slate-600 dark:text-slate-300">
          {predict.data.items.length} {t('r_predictions_made')} · {predict.data.too_few_attempts} {t('r_too_few')}
        </p>
      )}
      <Refused error={predict.error} t={t} />
    </div>
  );
}
