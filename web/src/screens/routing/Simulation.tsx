// A proposal's simulation, as stored with it (docs/mesh.md#simulation): per segment (method and
// amount band) the payments it covered over the window, the current and proposed primary, and the
// expected change in success rate, succeeded volume and fees had it all gone to the proposed one.
// Read defensively (snake_case or camelCase fields; anything unmeasured is "—").

import { formatDateTime, formatMoney } from '../../format.ts';
import { LOCALE, type Lang } from '../../i18n.ts';
import { fromMinor } from '../../merchant-api.ts';
import type { T } from '../alerts/ui.tsx';
import { useRouting } from './context.ts';
import { band, methodName, pct, ScrollX, sub, td, th } from './ui.tsx';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
/** A field by its snake_case name or its camelCase twin. */
function get(o: Obj | null | undefined, snake: string): unknown {
  if (!o) return undefined;
  if (snake in o) return o[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return o[camel];
}
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : null);
/** An instant given as epoch ms or as an ISO string. */
const instant = (x: unknown): number | null => (typeof x === 'string' && !/^-?\d+$/.test(x) ? (Number.isNaN(Date.parse(x)) ? null : Date.parse(x)) : num(x));
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

function signedPoints(x: number | null, lang: Lang): string {
  if (x === null) return '—';
  const f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  return `${f.format(x * 100)} pt`;
}

function money(x: unknown, currency: string, lang: Lang, signed = false): string {
  const n = num(x);
  if (n === null) return '—';
  const minor = Math.round(n);
  const text = formatMoney(fromMinor(Math.abs(minor), currency), currency, lang);
  return signed ? `${minor > 0 ? '+' : minor < 0 ? '−' : ''}${text}` : text;
}

export function Simulation({ simulation, currency }: { simulation: Obj; currency: string }) {
  const { lang, t, tz } = useRouting();
  const segments = (get(simulation, 'segments') as unknown[] | undefined)?.filter(isObj) ?? [];
  const hours = num(get(simulation, 'hours'));
  const from = instant(get(simulation, 'from'));
  const to = instant(get(simulation, 'to'));
  if (segments.length === 0) return <p className={sub} data-field="simulation-empty">{t('r_simulation_empty')}</p>;
  const fmt = (ms: number) => formatDateTime(ms, lang, tz);
  return (
    <div data-field="simulation">
      {(hours !== null || (from !== null && to !== null)) && (
        <p className="mb-1 text-xs text-slate-600 dark:text-slate-400">
          {t('r_simulation_window')} {hours !== null ? `${hours} h` : ''}{from !== null && to !== null ? ` (${fmt(from)} – ${fmt(to)})` : ''}
        </p>
      )}
      <ScrollX label={t('r_simulation')}>
        <table className="w-full min-w-[40rem] text-sm">
          <thead><tr>
            <th scope="col" className={th}>{t('r_segment')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_payments')}</th>
            <th scope="col" className={th}>{t('r_primary_change')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_success_change')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_volume_change')}</th>
            <th scope="col" className={`${th} text-right`}>{t('r_fee_change')}</th>
          </tr></thead>
          <tbody>
            {segments.map((s, i) => <SegmentRow key={i} s={s} currency={currency} t={t} lang={lang} />)}
          </tbody>
        </table>
      </ScrollX>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t('r_simulation_note')}</p>
    </div>
  );
}

function SegmentRow({ s, currency, t, lang }: { s: Obj; currency: string; t: T; lang: Lang }) {
  const change = get(s, 'change');
  const c = isObj(change) ? change : null;
  const method = str(get(s, 'method')) ?? '*';
  const min = num(get(s, 'min_amount')) ?? 0;
  const max = num(get(s, 'max_amount'));
  return (
    <tr data-segment={`${method}|${min}|${max ?? ''}`} className="border-t border-slate-200 dark:border-slate-700">
      <td className={td}><code className="text-xs">{methodName(method, t)}</code> <span className="tabular-nums">{band({ min_amount: min, max_amount: max }, currency, lang, t)}</span></td>
      <td className={`${td} text-right tabular-nums`}>
        {num(get(s, 'attempts')) ?? '—'}
        <span className="block text-xs text-slate-600 dark:text-slate-400">{t('r_observed')} {pct(num(get(s, 'observed_success_rate')), lang)}</span>
      </td>
      <td className={td}><code className="text-xs">{str(get(s, 'current_primary')) ?? '—'}</code> → <code className="text-xs font-semibold">{str(get(s, 'proposed_primary')) ?? '—'}</code></td>
      <td className={`${td} text-right tabular-nums`} data-field="success-change">{c ? signedPoints(num(get(c, 'success_rate')), lang) : t('r_unmeasured')}</td>
      <td className={`${td} text-right tabular-nums`}>{c ? money(get(c, 'succeeded_volume_minor'), currency, lang, true) : '—'}</td>
      <td className={`${td} text-right tabular-nums`}>{c ? money(get(c, 'fees_minor'), currency, lang, true) : '—'}</td>
    </tr>
  );
}
