// What a draft rule would have done over the last 7 days (POST /rules/preview): how many times it
// would have fired, when (a timeline strip and a list), and per group for grouped rules.

import type { RulePreview as Preview } from '../../api.ts';
import { colon, plural, type Lang } from '../../i18n.ts';
import { formatWhen, useZone, hint, translator } from './ui.tsx';

const MAX_LISTED = 12;

/** Firing periods of an ungrouped rule: runs of steps in state firing, from the series. */
function firingPeriods(p: Preview): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (const point of p.series ?? []) {
    const last = out.at(-1);
    if (point.state !== 'firing') continue;
    if (last && last.to === point.at - p.step_minutes * 60_000) last.to = point.at;
    else out.push({ from: point.at, to: point.at });
  }
  return out;
}

export function RulePreview({ preview: p, stale, lang }: { preview: Preview; stale: boolean; lang: Lang }) {
  const tz = useZone();
  const t = translator(lang);
  const grouped = p.series === undefined;
  const periods = grouped ? [] : firingPeriods(p);
  const marks = grouped ? p.groups.map((g) => g.first_fired_at) : periods.map((r) => r.from);
  const span = Math.max(1, p.to - p.from);
  const x = (at: number) => Math.min(100, Math.max(0, ((at - p.from) / span) * 100));
  const groupText = (g: Record<string, string | null>) => Object.entries(g).map(([k, v]) => `${k}=${v ?? '∅'}`).join(', ') || '—';

  return (
    <section data-preview data-stale={stale} aria-labelledby="rule-preview-title"
      className={`rounded-xl p-4 ring-1 ${stale ? 'bg-slate-50 ring-slate-300 dark:bg-slate-900/40 dark:ring-slate-600' : 'bg-indigo-50/60 ring-indigo-200 dark:bg-indigo-950/40 dark:ring-indigo-800'}`}>
      <h3 id="rule-preview-title" className="text-sm font-semibold text-slate-800 dark:text-slate-100">{t('preview_title')}</h3>
      {stale && <p className="mt-1 text-sm font-medium text-amber-800 dark:text-amber-300"><span aria-hidden="true">↻ </span>{t('preview_stale')}</p>}
      <p className="mt-2 text-sm text-slate-700 dark:text-slate-200">
        {t('preview_would_fire')} <strong data-field="firings" className="text-2xl tabular-nums text-slate-900 dark:text-white">{p.firings}</strong>{' '}
        {p.firings === 1 ? t('preview_time') : t('preview_times')}
        {p.firings > 0 && <> — {t('preview_first')} <span data-field="first_fired_at" className="tabular-nums">{formatWhen(lang, tz, p.first_fired_at)}</span></>}
      </p>
      <p className={hint}>
        {p.notifications} {plural(lang, p.notifications, 'preview_notification', 'preview_notifications')} · {p.evaluations} {t('preview_evaluations')} {p.step_minutes} min · {p.groups_evaluated} {plural(lang, p.groups_evaluated, 'preview_group_evaluated', 'preview_groups_evaluated')}
        {' · '}{formatWhen(lang, tz, p.from)} → {formatWhen(lang, tz, p.to)}
      </p>
      {p.groups_evaluated === 0 && <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">{t('preview_no_data')}</p>}

      <div className="mt-3" role="img" aria-label={`${t('preview_timeline')}${colon(lang)} ${p.firings} ${p.firings === 1 ? t('preview_time') : t('preview_times')}`}>
        <div className="relative h-6 rounded bg-white ring-1 ring-slate-200 dark:bg-slate-800 dark:ring-slate-700">
          {periods.map((r, i) => (
            <span key={`p${i}`} className="absolute inset-y-1 rounded-sm bg-red-300/70 dark:bg-red-700/70"
              style={{ left: `${x(r.from - p.step_minutes * 60_000)}%`, width: `max(2px, ${x(r.to) - x(r.from - p.step_minutes * 60_000)}%)` }} />
          ))}
          {marks.map((at, i) => (
            <span key={`m${i}`} className="absolute inset-y-0 w-0.5 bg-red-600 dark:bg-red-400" style={{ left: `${x(at)}%` }} />
          ))}
        </div>
        <div className="mt-0.5 flex justify-between text-xs text-slate-500 dark:text-slate-400" aria-hidden="true">
          <span>−7 {t('preview_days')}</span><span>{t('preview_now')}</span>
        </div>
      </div>

      {grouped ? (
        p.groups.length > 0 && (
          <ul data-preview-groups className="mt-3 space-y-0.5 text-sm text-slate-700 dark:text-slate-200">
            {p.groups.slice(0, MAX_LISTED).map((g) => (
              <li key={g.fingerprint}>
                <span className="font-medium">{groupText(g.group)}</span>: {g.firings} × — {t('preview_first')} {formatWhen(lang, tz, g.first_fired_at)}
              </li>
            ))}
            {p.groups.length > MAX_LISTED && <li className={hint}>+{p.groups.length - MAX_LISTED}</li>}
          </ul>
        )
      ) : periods.length > 0 && (
        <ul data-preview-firings className="mt-3 space-y-0.5 text-sm tabular-nums text-slate-700 dark:text-slate-200">
          {periods.slice(0, MAX_LISTED).map((r) => (
            <li key={r.from}>
              <span aria-hidden="true">● </span>{formatWhen(lang, tz, r.from)}{r.to > r.from && <> → {formatWhen(lang, tz, r.to)}</>}
            </li>
          ))}
          {periods.length > MAX_LISTED && <li className={hint}>+{periods.length - MAX_LISTED}</li>}
        </ul>
      )}
    </section>
  );
}
