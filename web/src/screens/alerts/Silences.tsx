// Silences: GET /api/analytics/alerts/silences (active, scheduled or ended, in words), a form to
// create one (POST: a rule and/or labels, a start, a duration or an end, a comment) and End now
// (DELETE, which sets its end to now).

import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete, apiPost, type Silence, type SilenceDraft } from '../../api.ts';
import { colon, type Lang, type MessageKey } from '../../i18n.ts';
import { silencesKey, useRules, useSilences } from './queries.ts';
import { zonedInstant } from '../../zoned-time.ts';
import {
  actionsCell, actionsRow, btn, card, field, formatWhen, useZone, hint, labelText, muted, primary, Refusal, stackBody, stackCell, stackLead, stackHead,
  stackRow, stackTable, th, thead, translator,
} from './ui.tsx';

const DURATIONS = ['1h', '4h', '24h', '7d', 'custom'] as const;
type Duration = (typeof DURATIONS)[number];
const DURATION_MS: Record<Exclude<Duration, 'custom'>, number> = { '1h': 3_600_000, '4h': 4 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

/** `merchant_id=m_1, country=SN` → { merchant_id: 'm_1', country: 'SN' }; null when an entry has no `=`. */
export function parseLabels(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) return null;
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function stateOf(s: Silence, now: number): 'active' | 'scheduled' | 'ended' {
  if (Date.parse(s.ends_at) <= now) return 'ended';
  return Date.parse(s.starts_at) > now ? 'scheduled' : 'active';
}

export function Silences({ token, lang, manage }: { token: string; lang: Lang; manage: boolean }) {
  const tz = useZone();
  const t = translator(lang);
  const queryClient = useQueryClient();
  const silences = useSilences(token);
  const rules = useRules(token);
  const ruleName = (id: string) => rules.data?.items.find((r) => r.id === id)?.name ?? `#${id}`;
  const [notice, setNotice] = useState<string | null>(null);
  const label = (key: MessageKey) => `${t(key)}${colon(lang)}`;
  const end = useMutation({
    mutationFn: (s: Silence) => apiDelete(`/api/analytics/alerts/silences/${encodeURIComponent(String(s.id))}`, token),
    onMutate: () => setNotice(null),
    onSuccess: (_r, s) => setNotice(`${t('silence_ended_now')} #${s.id}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: silencesKey(token) }),
  });
  const now = Date.now();

  return (
    <div className="space-y-4">
      {manage && <SilenceForm token={token} lang={lang} onCreated={(s) => setNotice(`${t('silence_created')} #${s.id}`)} />}
      <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">{notice && <><span aria-hidden="true">✓ </span>{notice}</>}</p>
      <Refusal error={end.error} t={t} />
      <section data-silences aria-label={t('alerts_tab_silences')} aria-busy={silences.isFetching} className={card}>
        {silences.error ? (
          <Refusal error={silences.error} t={t} lead={t('silences_load_failed')} />
        ) : !silences.data ? (
          <p className={muted}>{t('loading')}</p>
        ) : silences.data.items.length === 0 ? (
          <p className={muted}>{t('silences_none')}</p>
        ) : (
          <div className="relative overflow-x-auto max-sm:overflow-visible">
            <table className={stackTable}>
              <thead className={stackHead}>
                <tr className={thead}>
                  <th className={th}>{t('silence_matchers')}</th>
                  <th className={th}>{t('silence_starts')}</th>
                  <th className={th}>{t('silence_ends')}</th>
                  <th className={th}>{t('rule_status')}</th>
                  <th className={th}>{t('silence_comment')}</th>
                  <th className={th}>{t('silence_created_by')}</th>
                  {manage && <th className="pb-2 text-right font-medium"><span className="sr-only">{t('alert_actions')}</span></th>}
                </tr>
              </thead>
              <tbody className={stackBody}>
                {silences.data.items.map((s) => {
                  const state = stateOf(s, now);
                  const labels = Object.entries(s.matchers.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
                  return (
                    <tr key={s.id} data-silence={s.id} data-state={state} className={`border-t border-slate-100 align-top dark:border-slate-700 ${stackRow}`}>
                      <td className={`py-2 pr-3 text-slate-800 dark:text-slate-100 ${stackLead}`}>
                        {s.matchers.rule_id && <span className="block">{t('alert_rule')}{colon(lang)} {ruleName(s.matchers.rule_id)}</span>}
                        {labels && <span className="block text-slate-600 dark:text-slate-300">{labels}</span>}
                      </td>
                      <td data-label={label('silence_starts')} className={`py-2 pr-3 tabular-nums whitespace-nowrap text-slate-600 dark:text-slate-300 ${stackCell}`}>{formatWhen(lang, tz, s.starts_at)}</td>
                      <td data-label={label('silence_ends')} className={`py-2 pr-3 tabular-nums whitespace-nowrap text-slate-600 dark:text-slate-300 ${stackCell}`}>{formatWhen(lang, tz, s.ends_at)}</td>
                      <td data-field="state" data-label={label('rule_status')} className={`py-2 pr-3 whitespace-nowrap text-slate-700 dark:text-slate-200 ${stackCell}`}>
                        <span aria-hidden="true">{state === 'active' ? '● ' : state === 'scheduled' ? '◔ ' : '○ '}</span>{t(`silence_state_${state}` as MessageKey)}
                      </td>
                      <td data-label={label('silence_comment')} className={`py-2 pr-3 break-words text-slate-600 dark:text-slate-300 ${stackCell}`}>{s.comment ?? '—'}</td>
                      <td data-label={label('silence_created_by')} className={`py-2 pr-3 text-slate-600 dark:text-slate-300 ${stackCell}`}>{s.created_by}</td>
                      {manage && <td className={actionsCell}><div className={actionsRow}>
                        <button type="button" className={btn} disabled={state === 'ended' || (end.isPending && end.variables?.id === s.id)}
                          onClick={() => end.mutate(s)} aria-label={`${t('silence_end')} #${s.id}`}>{t('silence_end')}</button>
                      </div></td>}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function SilenceForm({ token, lang, onCreated }: { token: string; lang: Lang; onCreated: (s: Silence) => void }) {
  const tz = useZone();
  const t = translator(lang);
  const queryClient = useQueryClient();
  const rules = useRules(token);
  const [ruleId, setRuleId] = useState('');
  const [labels, setLabels] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [duration, setDuration] = useState<Duration>('4h');
  const [endsAt, setEndsAt] = useState('');
  const [comment, setComment] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: SilenceDraft) => apiPost<Silence>('/api/analytics/alerts/silences', token, body),
    onSuccess: async (s) => {
      setLabels('');
      setComment('');
      await queryClient.invalidateQueries({ queryKey: silencesKey(token) });
      onCreated(s);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseLabels(labels);
    if (parsed === null) return setInvalid(t('silence_labels_invalid'));
    if (!ruleId && Object.keys(parsed).length === 0) return setInvalid(t('silence_needs_matcher'));
    const start = startsAt ? localInstant(startsAt, tz) : Date.now();
    const endAt = duration === 'custom' ? (endsAt ? localInstant(endsAt, tz) : Number.NaN) : start + DURATION_MS[duration];
    if (!Number.isFinite(start) || !Number.isFinite(endAt)) return setInvalid(t('silence_time_invalid'));
    setInvalid(null);
    create.mutate({
      matchers: { ...(ruleId ? { rule_id: ruleId } : {}), ...(Object.keys(parsed).length ? { labels: parsed } : {}) },
      ...(startsAt ? { starts_at: new Date(start).toISOString() } : {}),
      ends_at: new Date(endAt).toISOString(),
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
  };

  return (
    <section aria-labelledby="silence-form-title" className={card}>
      <h2 id="silence-form-title" className="mb-1 text-lg font-semibold">{t('silence_new')}</h2>
      <p className={`${hint} mb-3`}>{t('silence_explain')}</p>
      <form onSubmit={submit} noValidate className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          <label className={labelText}>
            {t('alert_rule')}
            <select name="silence_rule" value={ruleId} onChange={(e) => setRuleId(e.target.value)} className={field}>
              <option value="">{t('alerts_any_rule')}</option>
              {(rules.data?.items ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
          </label>
          <label className={labelText}>
            {t('silence_labels')}
            <input name="silence_labels" value={labels} onChange={(e) => setLabels(e.target.value)} autoComplete="off"
              placeholder="merchant_id=m_1, country=SN" className={field} />
            <span className={hint}>{t('silence_labels_hint')}</span>
          </label>
          <label className={labelText}>
            {t('silence_starts')}
            <input type="datetime-local" name="silence_starts_at" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} className={field} />
            <span className={hint}>{t('silence_starts_hint')}</span>
          </label>
          <label className={labelText}>
            {t('silence_duration')}
            <select name="silence_duration" value={duration} onChange={(e) => setDuration(e.target.value as Duration)} className={field}>
              {DURATIONS.map((d) => <option key={d} value={d}>{t(`silence_duration_${d}` as MessageKey)}</option>)}
            </select>
          </label>
          {duration === 'custom' && (
            <label className={labelText}>
              {t('silence_ends')}
              <input type="datetime-local" name="silence_ends_at" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} className={field} />
            </label>
          )}
          <label className={`${labelText} sm:col-span-2 lg:col-span-1`}>
            {t('silence_comment')}
            <input name="silence_comment" value={comment} maxLength={1000} onChange={(e) => setComment(e.target.value)} className={field} />
          </label>
        </div>
        {invalid && <p role="alert" className="text-sm text-red-700 dark:text-red-300"><span aria-hidden="true">⚠ </span>{invalid}</p>}
        <Refusal error={create.error} t={t} />
        <button type="submit" className={primary} disabled={create.isPending}>{t('silence_create')}</button>
      </form>
    </section>
  );
}

/** A `datetime-local` value (YYYY-MM-DDTHH:MM) read as a wall-clock time in the view's zone. */
function localInstant(value: string, tz: string | undefined): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return Number.NaN;
  if (!tz) return new Date(value).getTime();
  return zonedInstant(Number(m[1]), Number(m[2]), Number(m[3]), tz, Number(m[4]), Number(m[5]));
}
