// One alert's assignment, comments and history: GET /api/analytics/alerts/{id} for the comments
// and the audited changes, PATCH with {assignee} or {comment} to change it.

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiPatch, type Alert, type AlertDetails, type PatchedAlert } from '../../api.ts';
import type { Lang } from '../../i18n.ts';
import type { Metrics } from '../../metric-registry.ts';
import { AlertContext } from './AlertContext.tsx';
import { alertsKey } from './queries.ts';
import { field, fieldBase, formatWhen, useZone, hint, labelText, muted, Refusal, secondary, translator } from './ui.tsx';

type Change = { assignee: string | null } | { comment: string };

export function AlertDetail({ alert, token, lang, manage, metrics }: { alert: Alert; token: string; lang: Lang; manage: boolean; metrics: Metrics }) {
  const tz = useZone();
  const t = translator(lang);
  const queryClient = useQueryClient();
  const [assignee, setAssignee] = useState(alert.assignee ?? '');
  const [comment, setComment] = useState('');
  const path = `/api/analytics/alerts/${encodeURIComponent(String(alert.id))}`;
  const details = useQuery({ queryKey: [...alertsKey(token), 'details', alert.id], queryFn: () => apiGet<AlertDetails>(path, token) });
  const [saved, setSaved] = useState<'assignee' | 'comment' | null>(null);
  const change = useMutation({
    mutationFn: (body: Change) => apiPatch<PatchedAlert>(path, token, body),
    onMutate: () => setSaved(null),
    onSuccess: (_answer, body) => {
      if ('comment' in body) {
        setComment('');
        setSaved('comment');
      } else {
        setSaved('assignee');
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: alertsKey(token) }),
  });
  const assign = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ assignee: assignee.trim() || null });
  };
  const addComment = (e: FormEvent) => {
    e.preventDefault();
    if (comment.trim()) change.mutate({ comment: comment.trim() });
  };
  const idp = `alert-${alert.id}`;

  return (
    <div className="space-y-3 rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-900/60 dark:ring-slate-700">
      <AlertContext alert={alert} token={token} lang={lang} metrics={metrics} />
      {manage && <div className="grid gap-4 md:grid-cols-2">
        <form onSubmit={assign} aria-label={t('alert_assign_form')} className="space-y-2">
          <label className={labelText} htmlFor={`${idp}-assignee`}>{t('alert_assignee')}</label>
          <div className="flex flex-wrap items-center gap-2">
            <input id={`${idp}-assignee`} name="assignee" value={assignee} maxLength={128} autoComplete="off"
              onChange={(e) => setAssignee(e.target.value)} className={`${fieldBase} flex-1`} placeholder={t('alert_assignee_placeholder')} />
            <button type="submit" className={secondary} disabled={change.isPending}>{t('alert_assign')}</button>
            {alert.assignee !== null && (
              <button type="button" className={secondary} disabled={change.isPending}
                onClick={() => { setAssignee(''); change.mutate({ assignee: null }); }}>{t('alert_unassign')}</button>
            )}
          </div>
        </form>
        <form onSubmit={addComment} aria-label={t('alert_comment_form')} className="space-y-2">
          <label className={labelText}>
            {t('alert_comment')}
            <textarea name="comment" value={comment} maxLength={4000} rows={2}
              onChange={(e) => setComment(e.target.value)} className={field} />
          </label>
          <button type="submit" className={secondary} disabled={change.isPending || !comment.trim()}>{t('alert_add_comment')}</button>
        </form>
      </div>}
      <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
        {saved && <><span aria-hidden="true">✓ </span>{t(saved === 'comment' ? 'alert_comment_saved' : 'alert_assignee_saved')}</>}
      </p>
      <Refusal error={change.error} t={t} />
      <section aria-labelledby={`${idp}-comments`}>
        <h3 id={`${idp}-comments`} className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{t('alert_comments')}</h3>
        {details.error ? <Refusal error={details.error} t={t} />
        : !details.data ? (
          <p className={hint}>{t('loading')}</p>
        ) : details.data.comments.length === 0 ? (
          <p className={muted}>{t('alert_no_comments')}</p>
        ) : (
          <ul data-comments className="mt-1 space-y-1">
            {details.data.comments.map((c, i) => (
              <li key={i} data-comment className="text-sm text-slate-700 dark:text-slate-200">
                <span className="font-medium">{c.author}</span>{' '}
                <span className="tabular-nums text-xs text-slate-500 dark:text-slate-400">{formatWhen(lang, tz, c.created_at)}</span>
                <p className="whitespace-pre-wrap break-words">{c.body}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
      {details.data && details.data.history.length > 0 && (
        <section aria-labelledby={`${idp}-history`}>
          <h3 id={`${idp}-history`} className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">{t('alert_history')}</h3>
          <ul data-history className="mt-1 space-y-0.5 text-sm text-slate-700 dark:text-slate-200">
            {details.data.history.map((h, i) => (
              <li key={i}>
                <span className="tabular-nums text-xs text-slate-600 dark:text-slate-400">{formatWhen(lang, tz, h.at)}</span>{' '}
                <span className="font-medium">{h.actor}</span> — {describe(h, t)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** One audited change in words: what the PATCH said, or the action's name. */
function describe(h: AlertDetails['history'][number], t: ReturnType<typeof translator>): string {
  const d = h.detail ?? {};
  if (h.action !== 'alert.updated') return h.action;
  const parts: string[] = [];
  if (d.acknowledge) parts.push(t('acknowledge'));
  if (d.resolve) parts.push(t('resolve'));
  if (d.assignee !== undefined) parts.push(d.assignee === null ? t('alert_unassign') : `${t('alert_assign')} → ${String(d.assignee)}`);
  if (d.comment !== undefined) parts.push(t('alert_add_comment'));
  return parts.join(', ') || h.action;
}
