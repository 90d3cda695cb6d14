// Small shared pieces of the routing screen: amount bands in the table's currency, the route
// table (a horizontal scroll on a phone), status badges, and how a refusal reads.

import type { ReactNode } from 'react';
import { ListStateOf, Refusal, type RefusalWords } from '../../components/Refusal.tsx';
import { focusRing } from '../../components/Segmented.tsx';
import { formatDateTime, formatMoney } from '../../format.ts';
import { LOCALE, type Lang, type MessageKey } from '../../i18n.ts';
import { fromMinor } from '../../merchant-api.ts';
import type { Route } from '../../mesh-api.ts';
import type { T } from '../alerts/ui.tsx';

export const sub = 'text-sm text-slate-600 dark:text-slate-300';
export const th = 'py-1 pr-3 text-left text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400';
export const td = 'py-1.5 pr-3 align-top';

/** A route's amount band in the table's currency: "≥ 0", "0 – 100 000 FCFA" (minor units shown in major). */
export function band(r: Pick<Route, 'min_amount' | 'max_amount'>, currency: string, lang: Lang, t: T): string {
  const min = formatMoney(fromMinor(r.min_amount, currency), currency, lang);
  if (r.max_amount === null) return r.min_amount === 0 ? t('r_any_amount') : `${t('r_from')} ${min}`;
  return `${min} – ${formatMoney(fromMinor(r.max_amount, currency), currency, lang)}`;
}

export const methodName = (m: string, t: T) => (m === '*' ? t('r_any_method') : m);

/** Providers in order: the primary first (bold, unless `fallbacks`: the list after it), then the fallbacks. */
export function Providers({ providers, t, fallbacks = false }: { providers: string[]; t: T; fallbacks?: boolean }) {
  if (providers.length === 0) return <span className="text-slate-600 dark:text-slate-400">—</span>;
  return (
    <ol className="flex flex-wrap items-center gap-1" aria-label={t('r_providers_in_order')}>
      {providers.map((p, i) => (
        <li key={p} data-provider={p} className="flex items-center gap-1">
          {i > 0 && <span aria-hidden="true" className="text-slate-500">→</span>}
          <code className={`rounded px-1 text-xs ${i === 0 && !fallbacks ? 'bg-indigo-100 font-semibold text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100' : 'bg-slate-100 dark:bg-slate-700'}`}>{p}</code>
          {i === 0 && !fallbacks && <span className="sr-only">({t('r_primary')})</span>}
        </li>
      ))}
    </ol>
  );
}

/** A table that scrolls sideways on a narrow screen: a named region, focusable so a keyboard can scroll it. */
export function ScrollX({ label, children }: { label: string; children: ReactNode }) {
  return <div role="region" aria-label={label} tabIndex={0} className={`relative overflow-x-auto ${focusRing}`}>{children}</div>;
}

/** A table's routes: method, band, providers in order. Scrolls sideways on a narrow screen. */
export function RouteTable({ routes, currency, lang, t, label }: { routes: Route[]; currency: string; lang: Lang; t: T; label: string }) {
  if (routes.length === 0) return <p data-state="empty" className={sub}>{t('r_no_routes')}</p>;
  return (
    <ScrollX label={label}>
      <table className="w-full min-w-[28rem] text-sm">
        <thead><tr>
          <th scope="col" className={th}>{t('r_method')}</th>
          <th scope="col" className={th}>{t('r_band')}</th>
          <th scope="col" className={th}>{t('r_providers')}</th>
        </tr></thead>
        <tbody>
          {routes.map((r) => (
            <tr key={`${r.method}|${r.min_amount}|${r.max_amount ?? ''}`} data-route={`${r.method}|${r.min_amount}|${r.max_amount ?? ''}`} className="border-t border-slate-200 dark:border-slate-700">
              <td className={td}><code className="text-xs">{methodName(r.method, t)}</code></td>
              <td className={`${td} tabular-nums`}>{band(r, currency, lang, t)}</td>
              <td className={td}><Providers providers={r.providers} t={t} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollX>
  );
}

const BADGE: Record<string, string> = {
  applied: 'bg-emerald-100 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  active: 'bg-emerald-100 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  pending_approval: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  canary: 'bg-sky-100 text-sky-800 ring-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800',
  rejected: 'bg-red-100 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  rolled_back: 'bg-slate-200 text-slate-800 ring-slate-300 dark:bg-slate-700 dark:text-slate-100 dark:ring-slate-600',
  superseded: 'bg-slate-200 text-slate-800 ring-slate-300 dark:bg-slate-700 dark:text-slate-100 dark:ring-slate-600',
  static: 'bg-slate-200 text-slate-800 ring-slate-300 dark:bg-slate-700 dark:text-slate-100 dark:ring-slate-600',
  proposal: 'bg-indigo-100 text-indigo-800 ring-indigo-200 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-800',
  rollback: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
};

/** A proposal status or a version kind in words (`r_status_<x>` / `r_kind_<x>`), coloured. */
export function Badge({ value, prefix, t }: { value: string; prefix: 'r_status_' | 'r_kind_'; t: T }) {
  return (
    <span data-badge={value} className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${BADGE[value] ?? BADGE.static}`}>
      {t(`${prefix}${value}` as MessageKey) ?? value}
    </span>
  );
}

/** Codes the mesh answers with, told in words (the code itself is shown beside). */
const KNOWN = new Set([
  'four_eyes_required', 'stale_version', 'proposal_not_pending', 'proposal_not_applied', 'rollback_window_passed', 'invalid_route',
  'idempotency_key_in_use', 'idempotency_key_reused', 'forbidden', 'not_found', 'no_static_version', 'kill_switch_engaged',
  'canary_exists', 'canary_not_allowed', 'canary_above_policy', 'canary_not_running',
]);

/** This area's words for a refusal: its known codes (r_err_<code>), the others by the server's message. */
const words = (t: T): RefusalWords => ({
  refused: t('r_refused'), networkError: t('r_network_error'),
  known: (code) => (KNOWN.has(code) ? t(`r_err_${code}` as MessageKey) : null),
});

/** A refused request, where it happened: what the server said, in words, with its status and code. */
export function Refused({ error, t }: { error: Error | null; t: T }) {
  return <Refusal error={error} words={words(t)} />;
}

/** Loading, error and empty states of a list. */
export function ListState({ loading, error, empty, t }: { loading: boolean; error: Error | null; empty: boolean; t: T }) {
  return <ListStateOf loading={loading} error={error} empty={empty} words={words(t)} loadingText={t('loading')} emptyText={t('r_empty')} />;
}

export const pct = (x: number | null | undefined, lang: Lang) =>
  x === null || x === undefined ? '—' : new Intl.NumberFormat(LOCALE[lang], { style: 'percent', maximumFractionDigits: 1 }).format(x);

/** A date and time in the view's zone. */
export function when(lang: Lang, tz: string, iso: string | null | undefined): string {
  if (!iso) return '—';
  return formatDateTime(iso, lang, tz);
}
