// Exports of the merchant's data (GET /api/merchant/export, /exports/{id}): kind, format, period (local
// dates in the merchant's zone) and the file's language. A small export is the answer itself and
// downloads at once; a large one is a background job (202) whose status is polled until its signed
// download link is ready (or it failed). The jobs started here are listed with their state.

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Lang, MessageKey } from '../../i18n.ts';
import { formatValue } from '../../format.ts';
import { mExport, mGet, type ExportJob } from '../../merchant-api.ts';
import { isoDate, nextDay, startOfDate } from '../../zoned-time.ts';
import { card, fieldBase, labelText, primary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { bytes, ServerRefusal, when } from './ui.tsx';

/** EXPORT_KINDS in src/merchant/export/registry.ts. */
const KINDS = ['transactions', 'refunds', 'disputes', 'payouts'] as const;
const FORMATS = ['csv', 'xlsx', 'pdf'] as const;
const LANGS: Lang[] = ['en', 'fr'];
const sub = 'text-sm text-slate-600 dark:text-slate-300';

export function Exports() {
  const { caller, lang, t, tz } = useMerchant();
  const today = isoDate(Date.now(), tz);
  const [kind, setKind] = useState<string>('transactions');
  const [format, setFormat] = useState<string>('csv');
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [fileLang, setFileLang] = useState<Lang>(lang);
  const [jobs, setJobs] = useState<ExportJob[]>([]);
  const run = useMutation({
    mutationFn: () => mExport(caller, {
      kind, format, lang: fileLang,
      from: new Date(startOfDate(from, tz)).toISOString(), to: new Date(nextDay(to, tz)).toISOString(),
    }),
    onSuccess: (r) => { if ('job' in r) setJobs((j) => [r.job, ...j]); },
  });
  const badDates = from > to;
  const submit = (e: FormEvent) => { e.preventDefault(); if (!badDates) run.mutate(); };
  return (
    <div className="space-y-4">
      <section aria-label={t('m_tab_exports')} className={card}>
        <h2 className="mb-3 text-lg font-semibold">{t('m_export_new')}</h2>
        <form onSubmit={submit} aria-label={t('m_export_new')} className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
            <label className={labelText}>{t('m_export_kind')}
              <select name="export_kind" value={kind} onChange={(e) => setKind(e.target.value)} className={`${fieldBase} mt-1 block w-full`}>
                {KINDS.map((k) => <option key={k} value={k}>{t(`m_export_kind_${k}` as MessageKey)}</option>)}
              </select>
            </label>
            <label className={labelText}>{t('m_export_format')}
              <select name="export_format" value={format} onChange={(e) => setFormat(e.target.value)} className={`${fieldBase} mt-1 block w-full`}>
                {FORMATS.map((f) => <option key={f} value={f}>{t(`m_export_format_${f}` as MessageKey)}</option>)}
              </select>
            </label>
            <label className={labelText}>{t('date_from')}
              <input type="date" name="export_from" required value={from} max={today} onChange={(e) => setFrom(e.target.value)} className={`${fieldBase} mt-1 block w-full`} />
            </label>
            <label className={labelText}>{t('date_to')}
              <input type="date" name="export_to" required value={to} max={today} onChange={(e) => setTo(e.target.value)} className={`${fieldBase} mt-1 block w-full`} />
            </label>
            <label className={labelText}>{t('m_export_lang')}
              <select name="export_lang" value={fileLang} onChange={(e) => setFileLang(e.target.value as Lang)} className={`${fieldBase} mt-1 block w-full`}>
                {LANGS.map((l) => <option key={l} value={l}>{l === 'fr' ? 'Français' : 'English'}</option>)}
              </select>
            </label>
          </div>
          <p className="text-xs text-slate-600 dark:text-slate-400">{t('m_export_note')} {t('m_dates_in')} {tz}.</p>
          {badDates && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{t('m_bad_dates')}</p>}
          <button type="submit" className={primary} disabled={run.isPending || badDates}>{run.isPending ? t('m_export_running') : t('m_export_go')}</button>
          {run.data && 'file' in run.data && <p role="status" data-export-downloaded={run.data.file} className="text-sm text-emerald-700 dark:text-emerald-300">{t('m_export_downloaded')} <code>{run.data.file}</code></p>}
          {run.data && 'job' in run.data && <p role="status" className={sub}>{t('m_export_background')}</p>}
          <ServerRefusal error={run.error} t={t} />
        </form>
      </section>
      {jobs.length > 0 && (
        <section aria-label={t('m_export_jobs')} className={card}>
          <h2 className="mb-3 text-lg font-semibold">{t('m_export_jobs')}</h2>
          <ul className="divide-y divide-slate-100 dark:divide-slate-700">
            {jobs.map((j) => <JobRow key={j.id} first={j} />)}
          </ul>
        </section>
      )}
    </div>
  );
}

/** A background export, polled until it is ready or failed; then its signed link (a fresh one on each call). */
function JobRow({ first }: { first: ExportJob }) {
  const { caller, lang, t, tz } = useMerchant();
  const job = useQuery({
    queryKey: ['m-export', caller, first.id],
    queryFn: () => mGet<ExportJob>(caller, `/exports/${encodeURIComponent(first.id)}`),
    initialData: first,
    // Every 2 s until it ends; once ready, every 5 minutes for a fresh link (each lasts
    // EXPORT_URL_TTL_SECONDS) until it expires (its file deleted after EXPORT_RETENTION_HOURS).
    refetchInterval: (q) => (q.state.data?.status === 'failed' || q.state.data?.status === 'expired' ? false : q.state.data?.status === 'ready' ? 300_000 : 2000),
  });
  const j = job.data;
  return (
    <li data-export-job={j.id} data-status={j.status} className="py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <span data-field="status" className="rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-slate-300 dark:ring-slate-600">{t(`m_export_status_${j.status}` as MessageKey)}</span>
          <span>{t(`m_export_kind_${j.kind}` as MessageKey) ?? j.kind} · {j.format.toUpperCase()}</span>
          <code className="text-xs">{j.id}</code>
        </div>
        <span className="text-slate-600 dark:text-slate-400">{when(lang, tz, j.requested_at)}</span>
      </div>
      <p className={`${sub} mt-1`}>
        {j.rows !== null && <>{t('m_export_rows')} {formatValue(j.rows, 'count', lang)}</>}
        {j.bytes !== null && <> · {bytes(j.bytes, lang)}</>}
        {j.error && <> · {t('m_export_failed')} <code>{j.error}</code></>}
      </p>
      {j.status === 'ready' && j.download_url && (
        <p className="mt-2">
          <a href={j.download_url} download data-field="download" className={primary}>{t('m_download')}</a>
          <span className="ml-2 text-xs text-slate-600 dark:text-slate-400">{t('m_export_link_until')} {when(lang, tz, j.download_expires_at)}</span>
        </p>
      )}
      {job.error && <div className="mt-2"><ServerRefusal error={job.error} t={t} /></div>}
    </li>
  );
}
