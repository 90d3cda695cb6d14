// Shared bits of the Alerts sub-views: class names, the translator, and how a refusal reads.

import { createContext, useContext } from 'react';
import { ApiError } from '../../api.ts';
import { focusRing } from '../../components/Segmented.tsx';
import { formatDateTime } from '../../format.ts';
import { translate, type Lang, type MessageKey } from '../../i18n.ts';

export type T = (key: MessageKey) => string;
export const translator = (lang: Lang): T => (key) => translate(lang, key);

export const card = 'rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200/70 dark:bg-slate-800 dark:ring-slate-700';
export const btn = `rounded-lg px-2.5 py-1 text-xs font-medium ring-1 ring-slate-300 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40 dark:ring-slate-600 dark:hover:bg-slate-700 ${focusRing}`;
export const primary = `rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-50 ${focusRing}`;
export const secondary = `rounded-lg px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-50 dark:ring-slate-600 dark:hover:bg-slate-700 ${focusRing}`;
export const fieldBase = 'min-w-0 rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:focus:ring-indigo-800 dark:[color-scheme:dark]';
export const field = `${fieldBase} mt-1 block w-full`;
export const labelText = 'block text-sm font-medium text-slate-700 dark:text-slate-200';
export const hint = 'mt-1 block text-xs font-normal text-slate-500 dark:text-slate-400';
export const muted = 'text-sm text-slate-500 dark:text-slate-400';
export const th = 'pb-2 pr-3 font-medium';
export const thead = 'text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400';

// Tables that become stacked rows under 640 px (no sideways scroll on a phone): the header row
// hides, each row is a block, each cell a line led by its column's name (data-label), and the
// actions wrap so none is ever cut off (on a desktop too).
export const stackTable = 'w-full text-sm max-sm:block';
export const stackHead = 'max-sm:hidden';
export const stackBody = 'max-sm:block';
export const stackRow = 'max-sm:block max-sm:py-2';
export const stackCell = 'max-sm:block max-sm:py-0.5 max-sm:pr-0 max-sm:before:mr-1 max-sm:before:text-xs max-sm:before:font-medium max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)] dark:max-sm:before:text-slate-400';
/** A row's first cell (its name) when stacked: no label before it. */
export const stackLead = 'max-sm:block max-sm:py-0.5 max-sm:pr-0';
export const actionsCell = 'py-2 max-sm:block';
export const actionsRow = 'flex flex-wrap items-center justify-end gap-1 max-sm:justify-start';

export const SEVERITY_CLASS: Record<string, string> = {
  critical: 'bg-red-100 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  warn: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  info: 'bg-sky-100 text-sky-800 ring-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800',
};

export function SeverityBadge({ severity, t }: { severity: string; t: T }) {
  return (
    <span data-field="severity" className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${SEVERITY_CLASS[severity] ?? SEVERITY_CLASS.info}`}>
      {SEVERITY_CLASS[severity] ? t(`severity_${severity}` as MessageKey) : severity}
    </span>
  );
}

/** The view's time zone, for every date the Alerts screen shows or reads (set by Alerts.tsx). */
export const ZoneContext = createContext<string | undefined>(undefined);
export const useZone = () => useContext(ZoneContext);

export function formatWhen(lang: Lang, tz: string | undefined, at: string | number | null | undefined): string {
  if (at === null || at === undefined) return '—';
  return formatDateTime(at, lang, tz);
}

/** Problem codes the Alerts screen says in words (the server's detail follows, as it wrote it). */
const PROBLEMS: Record<string, MessageKey> = {
  invalid_parameter: 'problem_invalid_parameter',
  unknown_metric: 'problem_unknown_metric',
  unknown_dimension: 'problem_unknown_dimension',
  not_found: 'problem_not_found',
  unauthorized: 'problem_unauthorized',
};

/**
 * A refused request, told plainly: a 403 says the role lacks alerts:manage; a known problem code
 * is said in the page's language; the server's detail and code follow.
 */
export function Refusal({ error, t, lead }: { error: Error | null; t: T; lead?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const known = api ? PROBLEMS[api.code] : undefined;
  return (
    <div role="alert" data-refusal={api?.code ?? 'error'}
      className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200 dark:bg-red-950/60 dark:text-red-200 dark:ring-red-800">
      <p className="font-medium"><span aria-hidden="true">⚠ </span>{api?.status === 403 ? t('alerts_forbidden') : (lead ?? t('alert_action_failed'))}</p>
      {known && <p data-field="problem" className="mt-0.5">{t(known)}</p>}
      <p className="mt-0.5 break-words">
        {api && <code className="mr-1 rounded bg-red-100 px-1 text-xs dark:bg-red-900">{api.code}</code>}
        {error.message}
      </p>
    </div>
  );
}
