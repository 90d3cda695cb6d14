// The merchant's disputes (GET /api/merchant/disputes): status, reason, amount and the response
// deadline — due_by in the merchant's zone with a live countdown. Opening one shows its evidence:
// upload (PDF, PNG or JPEG; the server judges the bytes and the limits), download (as an
// attachment), delete a draft, and submit, after which the server locks it.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Segmented } from '../../components/Segmented.tsx';
import { formatMoney } from '../../format.ts';
import type { MessageKey } from '../../i18n.ts';
import { mDownload, mGet, mSend, type Dispute, type DisputeDetail, type Page } from '../../merchant-api.ts';
import { btn, card, field, labelText, primary, secondary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { bytes, countdown, ListState, ServerRefusal, StatusBadge, when } from './ui.tsx';

const VIEWS = ['needs_response', 'under_review', 'expired', 'all'] as const;
type DisputeView = (typeof VIEWS)[number];
const ACCEPT = 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg';

/** Now, ticking every 30 s, for the countdowns. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(id);
  }, []);
  return now;
}

export function Disputes() {
  const { caller, lang, t } = useMerchant();
  const [status, setStatus] = useState<DisputeView>('needs_response');
  const [open, setOpen] = useState<string | null>(null);
  const now = useNow();
  const list = useInfiniteQuery({
    queryKey: ['m-disputes', caller, { status }],
    queryFn: ({ pageParam }) => mGet<Page<Dispute>>(caller, '/disputes', { status: status === 'all' ? undefined : status, limit: '50', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-label={t('m_tab_disputes')} className="grid gap-4 lg:grid-cols-2">
      <div className={card}>
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">{t('m_tab_disputes')}</h2>
          <Segmented<DisputeView> label={t('alert_status')} options={VIEWS} value={status} onChange={setStatus}
            text={(v) => t(v === 'all' ? 'alert_status_all' : `m_status_${v}` as MessageKey)} />
        </div>
        <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
        <ul className="divide-y divide-slate-100 dark:divide-slate-700">
          {items.map((d) => {
            const c = countdown(d.due_by, now, t);
            return (
              <li key={d.dispute_id} data-dispute={d.dispute_id} className="py-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <button type="button" onClick={() => setOpen(d.dispute_id)} aria-label={`${t('m_open_dispute')} ${d.dispute_id}`}
                    className="font-mono text-xs text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">{d.dispute_id}</button>
                  <StatusBadge status={d.status} t={t} />
                </div>
                <p className="mt-1">{formatMoney(d.amount, d.currency, lang)} · {d.reason ?? '—'} · <code className="text-xs">{d.txn_id ?? '—'}</code></p>
                <p className="mt-1 text-slate-600 dark:text-slate-300">
                  {t('m_due_by')} <span data-field="due-by">{when(lang, d.time_zone, d.due_by)}</span> ({d.time_zone})
                  {d.status === 'needs_response' && <span data-field="countdown" className={`ml-2 rounded px-1.5 text-xs font-medium ${c.urgent ? 'bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100' : 'bg-slate-100 dark:bg-slate-700'}`}>{c.text}</span>}
                </p>
              </li>
            );
          })}
        </ul>
        {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} onClick={() => void list.fetchNextPage()}>{t('m_load_more')}</button>}
      </div>
      {open ? <DisputePanel id={open} now={now} onClose={() => setOpen(null)} /> : <p className={`${card} text-sm text-slate-600 dark:text-slate-400`}>{t('m_pick_dispute')}</p>}
    </section>
  );
}

function DisputePanel({ id, now, onClose }: { id: string; now: number; onClose: () => void }) {
  const { caller, lang, t } = useMerchant();
  const qc = useQueryClient();
  const path = `/disputes/${encodeURIComponent(id)}`;
  const detail = useQuery({ queryKey: ['m-dispute', caller, id], queryFn: () => mGet<DisputeDetail>(caller, path) });
  const fileRef = useRef<HTMLInputElement>(null);
  const [description, setDescription] = useState('');
  const [confirming, setConfirming] = useState(false);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['m-dispute', caller, id] });
    void qc.invalidateQueries({ queryKey: ['m-disputes'] });
    void qc.invalidateQueries({ queryKey: ['m-audit'] });
  };
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      if (description.trim()) form.append('description', description.trim());
      form.append('file', file);
      return mSend(caller, 'POST', `${path}/evidence`, form);
    },
    onSuccess: () => { setDescription(''); if (fileRef.current) fileRef.current.value = ''; refresh(); },
  });
  const remove = useMutation({ mutationFn: (ev: string) => mSend<void>(caller, 'DELETE', `${path}/evidence/${encodeURIComponent(ev)}`), onSuccess: refresh });
  const submit = useMutation({ mutationFn: () => mSend(caller, 'POST', `${path}/submit`, {}), onSuccess: () => { setConfirming(false); refresh(); } });
  const download = useMutation({ mutationFn: (ev: { id: string; filename: string }) => mDownload(caller, `${path}/evidence/${encodeURIComponent(ev.id)}`, ev.filename) });
  const d = detail.data;
  const locked = !!d && (d.status !== 'needs_response');
  const onUpload = (e: FormEvent) => {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (file) upload.mutate(file);
  };

  return (
    <div className={card} data-dispute-panel={id}>
      <div className="flex items-start justify-between gap-2">
        <h2 className="text-lg font-semibold">{t('m_dispute')} <span className="font-mono text-base">{id}</span></h2>
        <button type="button" className={secondary} onClick={onClose}>{t('m_close')}</button>
      </div>
      <ListState loading={detail.isPending} error={detail.error} empty={false} t={t} />
      {d && (
        <>
          <p className="mt-2 flex flex-wrap items-center gap-2 text-sm"><StatusBadge status={d.status} t={t} /> {formatMoney(d.amount, d.currency, lang)} · {d.reason ?? '—'}</p>
          <p className="mt-1 text-sm">{t('m_due_by')} {when(lang, d.time_zone, d.due_by)} ({d.time_zone}) {d.status === 'needs_response' && <>· {countdown(d.due_by, now, t).text}</>}</p>
          {d.submitted_at && <p data-field="submitted" className="mt-1 text-sm">{t('m_submitted_at')} {when(lang, d.time_zone, d.submitted_at)} · {d.submitted_by}</p>}
          <h3 className="mb-2 mt-4 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">{t('m_evidence')} ({d.evidence.length} · {bytes(d.evidence_bytes, lang)})</h3>
          {d.evidence.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('m_no_evidence')}</p> : (
            <ul className="space-y-1 text-sm">
              {d.evidence.map((ev) => (
                <li key={ev.id} data-evidence={ev.id} className="flex flex-wrap items-center justify-between gap-2">
                  <span>{ev.filename} · {bytes(ev.size, lang)}{ev.description ? ` · ${ev.description}` : ''} · <span className="text-xs text-slate-600 dark:text-slate-400">{t(ev.state === 'draft' ? 'm_draft' : 'm_locked')}</span></span>
                  <span className="flex gap-1">
                    <button type="button" className={btn} onClick={() => download.mutate(ev)}>{t('m_download')}</button>
                    {!locked && ev.state === 'draft' && <button type="button" className={btn} disabled={remove.isPending} onClick={() => remove.mutate(ev.id)}>{t('rule_delete')}</button>}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <ServerRefusal error={remove.error ?? download.error} t={t} />
          {locked ? (
            <p data-field="locked" className="mt-4 rounded-lg bg-slate-100 px-3 py-2 text-sm dark:bg-slate-700">{d.status === 'expired' ? t('m_dispute_expired_note') : t('m_dispute_locked_note')}</p>
          ) : (
            <>
              <form onSubmit={onUpload} aria-label={t('m_upload')} className="mt-4 space-y-2">
                <label className={labelText}>{t('m_evidence_file')}
                  <input ref={fileRef} type="file" name="evidence_file" accept={ACCEPT} required className={`${field} file:mr-2 file:rounded file:border-0 file:bg-slate-100 file:px-2`} />
                  <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400">{t('m_evidence_types')}</span>
                </label>
                <label className={labelText}>{t('m_evidence_description')}
                  <input name="evidence_description" maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} className={field} />
                </label>
                <button type="submit" className={primary} disabled={upload.isPending}>{upload.isPending ? t('m_sending') : t('m_upload')}</button>
                <ServerRefusal error={upload.error} t={t} />
              </form>
              <div className="mt-4 border-t border-slate-100 pt-3 dark:border-slate-700">
                {confirming ? (
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="text-sm">{t('m_submit_confirm')}</span>
                    <button type="button" className={primary} disabled={submit.isPending} onClick={() => submit.mutate()}>{t('m_submit_yes')}</button>
                    <button type="button" className={secondary} onClick={() => setConfirming(false)}>{t('cancel')}</button>
                  </div>
                ) : (
                  <button type="button" className={secondary} disabled={d.evidence.length === 0} onClick={() => setConfirming(true)}>{t('m_submit_response')}</button>
                )}
                <ServerRefusal error={submit.error} t={t} />
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}
