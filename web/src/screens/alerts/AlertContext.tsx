// An alert's context in its detail: why it fired (observed against the threshold), the metric
// hourly around the firing (GET /api/analytics/timeseries over the alert's scope) with the
// threshold and the firing marked, and a link to the dashboard view of its scope.

import { useQuery } from '@tanstack/react-query';
import { apiGet, pointValue, type Alert, type SeriesPoint } from '../../api.ts';
import { formatValue } from '../../format.ts';
import type { Lang } from '../../i18n.ts';
import type { Metrics } from '../../metric-registry.ts';
import { judgement, scopeHref, scopeOf, thresholdOf, windowAround } from './alert-context.ts';
import { hint, translator, useZone } from './ui.tsx';

export function AlertContext({ alert: a, token, lang, metrics }: { alert: Alert; token: string; lang: Lang; metrics: Metrics }) {
  const t = translator(lang);
  const tz = useZone();
  const around = windowAround(a);
  const metric = a.rule_metric;
  const filters = Object.fromEntries(Object.entries(scopeOf(a)).map(([k, v]) => [k, v.join(',')]));
  const series = useQuery({
    queryKey: ['alert-series', token, a.id, metric, around?.from, around?.to],
    queryFn: () => apiGet<{ points: SeriesPoint[] }>('/api/analytics/timeseries', token, {
      ...filters, metrics: metric!, from: around!.from, to: around!.to, granularity: 'hour', ...(tz ? { tz } : {}),
    }),
    enabled: !!metric && !!around,
    staleTime: 60_000,
  });
  const why = judgement(a, metrics, lang, t);
  const values = (series.data?.points ?? []).map((p) => pointValue(p, metric!));
  const firedAt = Date.parse(a.firing_since ?? a.started_at ?? '');
  const startAt = Date.parse(series.data?.points[0]?.ts ?? '');
  const firedIndex = Number.isFinite(startAt) ? (firedAt - startAt) / 3_600_000 : null;
  const unit = metric ? metrics.unit(metric) : 'count';

  return (
    <section data-alert-context aria-label={t('alert_why')} className="space-y-2">
      {why && <p data-field="judgement" className="text-sm font-medium text-slate-800 dark:text-slate-100">{why}</p>}
      {metric && (
        series.error ? <p className={hint}>{t('alert_chart_failed')}</p>
          : !series.data ? <p className={hint}>{t('loading')}</p>
            : <MiniChart values={values} threshold={thresholdOf(a)} marker={firedIndex}
                label={`${metrics.label(metric, lang)} — ${t('alert_chart_label')}${thresholdOf(a) !== null ? ` (${t('alert_threshold')} ${formatValue(thresholdOf(a), unit, lang)})` : ''}`} />
      )}
      <a data-field="scope-link" href={scopeHref(a, lang, tz)}
        className="inline-block text-sm font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
        {t('alert_open_scope')}<span aria-hidden="true"> →</span>
      </a>
    </section>
  );
}

/** A sparkline-sized chart: the line, the threshold dashed, the firing as a vertical mark. */
function MiniChart({ values, threshold, marker, label }: { values: Array<number | null>; threshold: number | null; marker: number | null; label: string }) {
  const w = 240, h = 48;
  const defined = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(...defined, threshold ?? 0, 0);
  const min = Math.min(...defined, threshold ?? 0, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const y = (v: number) => (h - ((v - min) / span) * (h - 4) - 2).toFixed(1);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${y(v)} `;
    pen = true;
  });
  return (
    <svg data-chart="alert-series" role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none"
      className="h-12 w-full max-w-md rounded bg-white ring-1 ring-slate-200 dark:bg-slate-800 dark:ring-slate-700">
      {threshold !== null && <line x1="0" x2={w} y1={y(threshold)} y2={y(threshold)} strokeDasharray="4 3" vectorEffect="non-scaling-stroke"
        className="stroke-red-500 dark:stroke-red-400" />}
      {marker !== null && marker >= 0 && marker <= values.length && (
        <line x1={marker * step} x2={marker * step} y1="0" y2={h} vectorEffect="non-scaling-stroke" className="stroke-amber-500" />
      )}
      {d && <path d={d} fill="none" strokeWidth="1.5" vectorEffect="non-scaling-stroke" className="stroke-indigo-600 dark:stroke-indigo-400" />}
    </svg>
  );
}
