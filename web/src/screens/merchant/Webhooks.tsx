// The merchant's webhook endpoints (GET, POST /api/merchant/webhooks, GET, DELETE …/{id}): the list,
// a new endpoint (URL and event types; its signing secret is shown this once, with a copy button,
// and kept nowhere but on screen until dismissed), deletion after a confirmation, and the latest
// delivery attempts of one endpoint.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { mGet, mSend, WEBHOOK_EVENTS, type Webhook, type WebhookCreated, type WebhookDetail } from '../../merchant-api.ts';
import { btn, card, fieldBase, labelText, primary, secondary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, ServerRefusal, when } from './ui.tsx';

const sub = 'text-sm text-slate-600 dark:text-slate-300';
const th = 'py-1 pr-3 text-left text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400';

export function Webhooks() {
  const { caller, t } = useMerchant();
  const list = useQuery({ queryKey: ['m-webhooks', caller], queryFn: () => mGet<{ items: Webhook[] }>(caller, '/webhooks') });
  const items = list.data?.items ?? [];
  return (
    <div className="space-y-4">
      <NewWebhook />
      <section aria-label={t('m_webhooks')} className={card}>
        <h2 className="mb-3 text-lg font-semibold">{t('m_webhooks')}</h2>
        <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
        <ul className="divide-y divide-slate-100 dark:divide-slate-700">
          {items.map((w) => <WebhookRow key={w.id} w={w} />)}
        </ul>
      </section>
    </div>
  );
}

function NewWebhook() {
  const { caller, t } = useMerchant();
  const qc = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [created, setCreated] = useState<WebhookCreated | null>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const create = useMutation({
    mutationFn: () => mSend<WebhookCreated>(caller, 'POST', '/webhooks', { url: url.trim(), event_types: events.length ? events : null }),
    onSuccess: (w) => {
      setCreated(w);
      setCopied(null);
      setUrl('');
      setEvents([]);
      void qc.invalidateQueries({ queryKey: ['m-webhooks'] });
      void qc.invalidateQueries({ queryKey: ['m-audit'] });
    },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  const toggle = (ev: string) => setEvents((xs) => (xs.includes(ev) ? xs.filter((x) => x !== ev) : [...xs, ev]));
  return (
    <section aria-label={t('m_webhook_new')} className={card}>
      <h2 className="mb-3 text-lg font-semibold">{t('m_webhook_new')}</h2>
      {created && (
        <div data-webhook-secret={created.id} role="status" className="mb-4 rounded-lg bg-amber-50 p-3 ring-1 ring-amber-300 dark:bg-amber-950/50 dark:ring-amber-700">
          <p className="text-sm font-medium">{t('m_webhook_secret_once')}</p>
          <p className="mt-2 flex flex-wrap items-center gap-2">
            <code data-field="secret" className="break-all rounded bg-white px-2 py-1 text-sm dark:bg-slate-900">{created.secret}</code>
            <button type="button" className={btn} onClick={() => void copy()}>{t('m_copy')}</button>
            {copied === 'yes' && <span data-field="copied" className="text-xs text-emerald-700 dark:text-emerald-300">{t('m_copied')}</span>}
            {copied === 'failed' && <span className="text-xs text-red-700 dark:text-red-300">{t('m_copy_failed')}</span>}
          </p>
          {created.warnings.map((w) => <p key={w.code} data-warning={w.code} className="mt-2 text-xs text-amber-900 dark:text-amber-100">{t('m_webhook_warning')} {w.message}</p>)}
          <button type="button" className={`${secondary} mt-3`} onClick={() => setCreated(null)}>{t('m_webhook_secret_done')}</button>
        </div>
      )}
      <form onSubmit={submit} aria-label={t('m_webhook_new')} className="space-y-3">
        <label className={labelText}>{t('m_webhook_url')}
          <input name="webhook_url" type="url" required maxLength={2000} placeholder="https://example.com/molam" value={url}
            onChange={(e) => setUrl(e.target.value)} className={`${fieldBase} mt-1 block w-full`} />
        </label>
        <fieldset>
          <legend className={labelText}>{t('m_webhook_events')}</legend>
          <p className="text-xs text-slate-600 dark:text-slate-400">{t('m_webhook_events_hint')}</p>
          <div className="mt-1 grid gap-1 sm:grid-cols-2 lg:grid-cols-3">
            {WEBHOOK_EVENTS.map((ev) => (
              <label key={ev} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="webhook_event" value={ev} checked={events.includes(ev)} onChange={() => toggle(ev)} />
                <code className="text-xs">{ev}</code>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className={primary} disabled={create.isPending}>{t('m_webhook_add')}</button>
        <ServerRefusal error={create.error} t={t} />
      </form>
    </section>
  );
}

function WebhookRow({ w }: { w: Webhook }) {
  const { caller, lang, t, tz } = useMerchant();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => mSend<void>(caller, 'DELETE', `/webhooks/${w.id}`),
    onSuccess: () => {
      setConfirming(false);
      void qc.invalidateQueries({ queryKey: ['m-webhooks'] });
      void qc.invalidateQueries({ queryKey: ['m-audit'] });
    },
  });
  return (
    <li data-webhook={w.id} data-enabled={w.enabled} className="py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="break-all font-medium" data-field="url">{w.url}</p>
          <p className={sub}>
            <span className={`mr-1 rounded px-1 text-xs ${w.enabled ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100' : 'bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100'}`}>
              {w.enabled ? t('m_webhook_enabled') : t('m_webhook_disabled')}
            </span>
            {w.disabled_reason && <code className="mr-1 text-xs">{w.disabled_reason}</code>}
            {w.event_types ? w.event_types.join(', ') : t('m_webhook_all_events')} · {w.created_by} · {when(lang, tz, w.created_at)}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="button" className={btn} aria-expanded={open} aria-label={`${t('m_webhook_deliveries')} ${w.id}`} onClick={() => setOpen(!open)}>{t('m_webhook_deliveries')}</button>
          {w.enabled && !confirming && <button type="button" className={btn} aria-label={`${t('m_webhook_delete')} ${w.id}`} onClick={() => setConfirming(true)}>{t('m_webhook_delete')}</button>}
        </div>
      </div>
      {confirming && (
        <div role="alertdialog" aria-label={t('m_webhook_delete_confirm')} className="mt-2 flex flex-wrap items-center gap-2 rounded-lg bg-red-50 px-3 py-2 ring-1 ring-red-200 dark:bg-red-950/50 dark:ring-red-800">
          <span>{t('m_webhook_delete_confirm')}</span>
          <button type="button" className={btn} disabled={remove.isPending} onClick={() => remove.mutate()}>{t('m_webhook_delete_yes')}</button>
          <button type="button" className={btn} onClick={() => setConfirming(false)}>{t('m_cancel')}</button>
        </div>
      )}
      {remove.error && <div className="mt-2"><ServerRefusal error={remove.error} t={t} /></div>}
      {open && <Deliveries id={w.id} />}
    </li>
  );
}

function Deliveries({ id }: { id: number }) {
  const { caller, lang, t, tz } = useMerchant();
  const detail = useQuery({ queryKey: ['m-webhook', caller, id], queryFn: () => mGet<WebhookDetail>(caller, `/webhooks/${id}`), refetchInterval: 30_000 });
  const rows = detail.data?.deliveries ?? [];
  return (
    <div data-deliveries={id} className="mt-2 rounded-lg bg-slate-50 p-3 dark:bg-slate-900/50">
      <p className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-400">{t('m_webhook_latest')}</p>
      <ListState loading={detail.isPending} error={detail.error} empty={!detail.isPending && !detail.error && rows.length === 0} t={t} />
      {rows.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[32rem] text-sm">
            <thead><tr>
              <th scope="col" className={th}>{t('m_when')}</th>
              <th scope="col" className={th}>{t('m_webhook_event')}</th>
              <th scope="col" className={th}>{t('m_webhook_attempt')}</th>
              <th scope="col" className={th}>{t('m_webhook_outcome')}</th>
            </tr></thead>
            <tbody>
              {rows.map((d) => (
                <tr key={`${d.msg_id}-${d.attempt}-${d.at}`} className="border-t border-slate-200 dark:border-slate-700">
                  <td className="py-1 pr-3">{when(lang, tz, d.at)}</td>
                  <td className="py-1 pr-3"><code className="text-xs">{d.event_type}</code></td>
                  <td className="py-1 pr-3 tabular-nums">{d.attempt}</td>
                  <td className="py-1"><code className="text-xs">{d.outcome}</code>{d.status_code !== null && ` (${d.status_code})`} · {d.duration_ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
