// Proposals (GET /proposals, newest first, more over the server's cursor) by status — with, for
// mesh:manage, a proposal generated from a table's predictions (POST /proposals/generate) — and
// one proposal's detail (GET /proposals/{id}): its routes before (the table version it is based
// on) and after, its rationale, its simulation (POST /proposals/{id}/simulate for mesh:manage),
// and — for mesh:approve — Approve, Reject, Roll back, and a canary (start with a share and the
// alert rule that rolls it back; stop for mesh:manage). Four eyes is the server's rule: one's own
// proposal is marked and its 403 is shown where it happened. Each action carries its own
// Idempotency-Key, kept for a retry of that same action after no answer.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '../../api.ts';
import { Segmented } from '../../components/Segmented.tsx';
import { colon, plural, type MessageKey } from '../../i18n.ts';
import {
  actionKey, answered, meshGet, meshPost, sameBand, type GeneratedProposal, type Page, type Proposal, type Route, type TableHistory, type TableVersion,
} from '../../mesh-api.ts';
import { useRules } from '../alerts/queries.ts';
import { btn, card, fieldBase, secondary } from '../alerts/ui.tsx';
import { useRouting } from './context.ts';
import { Simulation } from './Simulation.tsx';
import { Badge, band, ListState, methodName, pct, Providers, Refused, ScrollX, sub, td, th, when } from './ui.tsx';

const VIEWS = ['pending_approval', 'canary', 'applied', 'rolled_back', 'rejected', 'superseded', 'all'] as const;
type ProposalView = (typeof VIEWS)[number];
const ROLLBACK_WINDOW_MS = 24 * 3_600_000;

export function Proposals() {
  const { token, lang, t, tz } = useRouting();
  const [status, setStatus] = useState<ProposalView>('pending_approval');
  const [open, setOpen] = useState<string | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['mesh-proposals', token, status],
    queryFn: ({ pageParam }) => meshGet<Page<Proposal>>(token, '/proposals', { status: status === 'all' ? undefined : status, limit: '25', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 30_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <section aria-label={t('r_tab_proposals')} className={`${card} min-w-0 space-y-3`}>
        <Generate onMade={setOpen} />
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">{t('r_tab_proposals')}</h2>
          <Segmented<ProposalView> label={t('r_status')} options={VIEWS} value={status} onChange={(s) => { setStatus(s); }}
            text={(v) => t(v === 'all' ? 'r_all' : `r_status_${v}` as MessageKey)} />
        </div>
        <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
        <ul className="divide-y divide-slate-100 dark:divide-slate-700">
          {items.map((p) => (
            <li key={p.id} data-proposal={p.id} data-status={p.status} className="py-2 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge value={p.status} prefix="r_status_" t={t} />
                  <span className="font-semibold">{p.region} · {p.currency}</span>
                  <code className="text-xs">{p.id}</code>
                </div>
                <button type="button" className={btn} aria-expanded={open === p.id} aria-label={`${open === p.id ? t('r_hide') : t('r_details')} ${p.id}`}
                  onClick={() => setOpen(open === p.id ? null : p.id)}>
                  {open === p.id ? t('r_hide') : t('r_details')}
                </button>
              </div>
              <p className="mt-1 text-slate-600 dark:text-slate-300">
                {p.routes.length} {plural(lang, p.routes.length, 'r_route_count', 'r_routes_count')} · {t('r_confidence')} {pct(p.confidence, lang)} · {t('r_by')} {p.created_by} · {when(lang, tz, p.created_at)}
              </p>
            </li>
          ))}
        </ul>
        {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('r_more')}</button>}
        <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('r_dates_in')} {tz}</p>
      </section>
      {open ? <ProposalDetail id={open} onClose={() => setOpen(null)} /> : (
        <p className={`${sub} hidden lg:block`}>{t('r_pick_proposal')}</p>
      )}
    </div>
  );
}

/** A route of the proposal, with what the base version had for the same method and band. */
interface Change { after: Route; before: Route | null }

function ProposalDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { token, me, lang, t, tz, approver, manager } = useRouting();
  const detail = useQuery({ queryKey: ['mesh-proposal', token, id], queryFn: () => meshGet<Proposal>(token, `/proposals/${encodeURIComponent(id)}`) });
  const p = detail.data;
  const table = useQuery({
    queryKey: ['mesh-table', token, p?.region, p?.currency],
    queryFn: async () => {
      try {
        return await meshGet<TableHistory>(token, `/routing/${p!.region}/${p!.currency}`, { limit: '200' });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null; // a table never set: its base is version 0
        throw err;
      }
    },
    enabled: !!p,
  });
  const base = p && table.data !== undefined ? (p.base_version === 0 ? [] : table.data?.versions.find((v) => v.version === p.base_version)?.routes ?? null) : null;
  const changes: Change[] = p && base ? p.routes.map((r) => ({ after: r, before: base.find((b) => sameBand(b, r)) ?? null })) : [];
  return (
    <section aria-label={`${t('r_proposal')} ${id}`} data-proposal-detail={id} className={`${card} min-w-0`}>
      <div className="mb-2 flex flex-wrap items-start justify-between gap-2">
        <h2 className="text-lg font-semibold">{t('r_proposal')} <code className="text-sm">{id}</code></h2>
        <button type="button" className={btn} onClick={onClose}>{t('r_close')}</button>
      </div>
      <ListState loading={detail.isPending} error={detail.error} empty={false} t={t} />
      {p && (
        <div className="space-y-4">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <Badge value={p.status} prefix="r_status_" t={t} />
            <span className="font-semibold">{p.region} · {p.currency}</span>
            <span className={sub}>{t('r_based_on')} {p.base_version}</span>
            {p.applied_version !== null && <span data-field="applied-version" data-version={p.applied_version} className={sub}>· {t('r_became_version')} {p.applied_version}</span>}
          </div>
          <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-2">
            <div><dt className="inline text-slate-600 dark:text-slate-400">{t('r_confidence')}{colon(lang)} </dt><dd className="inline">{pct(p.confidence, lang)}</dd></div>
            <div><dt className="inline text-slate-600 dark:text-slate-400">{t('r_created')}{colon(lang)} </dt><dd className="inline"><span data-field="created-by">{p.created_by}</span> · {when(lang, tz, p.created_at)}</dd></div>
            {p.decided_by && <div><dt className="inline text-slate-600 dark:text-slate-400">{t('r_decided')}{colon(lang)} </dt><dd className="inline"><span data-field="decided-by">{p.decided_by}</span> · {when(lang, tz, p.decided_at)}</dd></div>}
            {table.data && <div><dt className="inline text-slate-600 dark:text-slate-400">{t('r_table_now')}{colon(lang)} </dt><dd className="inline" data-field="table-version" data-version={table.data.current.version}>{t('r_version')} {table.data.current.version}</dd></div>}
          </dl>

          <div>
            <h3 className="mb-1 text-sm font-semibold">{t('r_changes')}</h3>
            {table.error && <Refused error={table.error} t={t} />}
            {p && table.data !== undefined && base === null && <p className={sub}>{t('r_base_not_found')}</p>}
            {changes.length > 0 && (
              <ScrollX label={t('r_changes')}>
                <table className="w-full min-w-[32rem] text-sm">
                  <thead><tr>
                    <th scope="col" className={th}>{t('r_method')}</th>
                    <th scope="col" className={th}>{t('r_band')}</th>
                    <th scope="col" className={th}>{t('r_before')}</th>
                    <th scope="col" className={th}>{t('r_after')}</th>
                  </tr></thead>
                  <tbody>
                    {changes.map((c) => (
                      <tr key={`${c.after.method}|${c.after.min_amount}|${c.after.max_amount ?? ''}`} data-change={`${c.after.method}|${c.after.min_amount}|${c.after.max_amount ?? ''}`} className="border-t border-slate-200 dark:border-slate-700">
                        <td className={td}><code className="text-xs">{methodName(c.after.method, t)}</code></td>
                        <td className={`${td} tabular-nums`}>{band(c.after, p.currency, lang, t)}</td>
                        <td className={td} data-field="before">{c.before ? <Providers providers={c.before.providers} t={t} /> : <span className="text-xs">{t('r_new_route')}</span>}</td>
                        <td className={td} data-field="after"><Providers providers={c.after.providers} t={t} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollX>
            )}
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t('r_changes_note')}</p>
          </div>

          <div>
            <h3 className="mb-1 text-sm font-semibold">{t('r_rationale')}</h3>
            {p.rationale.length === 0 ? <p className={sub}>{t('r_no_rationale')}</p> : (
              <ul className="space-y-1 text-sm" data-field="rationale">
                {p.rationale.map((r, i) => (
                  <li key={i}><code className="text-xs">{methodName(r.method, t)}</code> · {band(r, p.currency, lang, t)} — {r.note}
                    {r.prediction_ids.length > 0 && <span className="block text-xs text-slate-600 dark:text-slate-400">{t('r_predictions')}{colon(lang)} {r.prediction_ids.join(', ')}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>

          <div>
            <h3 className="mb-1 text-sm font-semibold">{t('r_simulation')}</h3>
            {p.simulation ? <Simulation simulation={p.simulation} currency={p.currency} /> : <p className={sub} data-field="no-simulation">{t('r_no_simulation')}</p>}
            <Simulate proposal={p} />
          </div>

          {p.status === 'canary' && (
            <p data-field="canary" data-percent={p.canary_percent ?? ''} className="rounded-lg bg-sky-50 px-3 py-2 text-sm text-sky-900 ring-1 ring-sky-200 dark:bg-sky-950/60 dark:text-sky-100 dark:ring-sky-800">
              {t('r_canary_live').replace('{percent}', String(p.canary_percent ?? '—')).replace('{rule}', String(p.canary_alert_rule_id ?? '—'))}
            </p>
          )}
          {approver ? <Decide proposal={p} mine={p.created_by === me.sub} /> : null}
          {(approver || manager) && (p.status === 'pending_approval' || p.status === 'canary') ? <Canary proposal={p} /> : null}
        </div>
      )}
    </section>
  );
}

type Decision = 'approve' | 'reject' | 'rollback';

/** Approve / Reject a pending proposal, Roll back an applied one (mesh:approve). */
function Decide({ proposal: p, mine }: { proposal: Proposal; mine: boolean }) {
  const { token, lang, t, tz } = useRouting();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  // One key per user action (decision and body): kept for a retry of that same action after no answer.
  const key = useRef<{ key: string; action: string } | null>(null);
  const decide = useMutation({
    mutationFn: (d: Decision) => {
      const body = note.trim() ? { [d === 'approve' ? 'comment' : 'reason']: note.trim() } : {};
      const action = `${p.id}|${d}|${JSON.stringify(body)}`;
      if (!key.current || key.current.action !== action) key.current = { key: actionKey(), action };
      return meshPost<Proposal>(token, `/proposals/${encodeURIComponent(p.id)}/${d}`, body, key.current.key);
    },
    onSuccess: (x) => {
      key.current = null;
      setNote('');
      qc.setQueryData(['mesh-proposal', token, p.id], x);
      for (const k of ['mesh-proposals', 'mesh-tables', 'mesh-table', 'mesh-table-history', 'mesh-actions']) void qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (err) => {
      if (answered(err)) key.current = null;
      // The server may have moved the proposal on (superseded on a stale version): show it as it is now.
      void qc.invalidateQueries({ queryKey: ['mesh-proposal', token, p.id] });
    },
  });
  const rollbackUntil = p.status === 'applied' && p.decided_at ? new Date(Date.parse(p.decided_at) + ROLLBACK_WINDOW_MS).toISOString() : null;
  const outcome = decide.isSuccess ? (
    <p role="status" data-field="decided" data-outcome={decide.data.status} className="text-sm text-emerald-700 dark:text-emerald-300">
      {t(`r_done_${decide.data.status}` as MessageKey) ?? decide.data.status}
      {decide.data.applied_version !== null && decide.data.status === 'applied' && <> · {t('r_version')} {decide.data.applied_version}</>}
    </p>
  ) : null;
  // Decided (here or elsewhere): what happened here, and no more buttons.
  if (p.status !== 'pending_approval' && p.status !== 'applied' && p.status !== 'canary') {
    return outcome || decide.error ? <div className="space-y-2">{outcome}<Refused error={decide.error} t={t} /></div> : null;
  }
  return (
    <div className="space-y-2 rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-900/50 dark:ring-slate-700" data-decide={p.status}>
      <h3 className="text-sm font-semibold">{t('r_decision')}</h3>
      {(p.status === 'pending_approval' || p.status === 'canary') && (
        <p className="text-xs text-slate-600 dark:text-slate-300">
          {mine ? <span data-field="mine" className="mr-1 rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-900 dark:text-amber-100">{t('r_your_proposal')}</span> : null}
          {mine ? t('r_own_hint') : t('r_four_eyes_note')}
        </p>
      )}
      {rollbackUntil && <p className="text-xs text-slate-600 dark:text-slate-300" data-field="rollback-until">{t('r_rollback_until')} {when(lang, tz, rollbackUntil)}</p>}
      <div className="flex flex-wrap items-center gap-2">
        <input name="decision_note" aria-label={p.status === 'applied' ? t('r_reason') : t('r_comment_or_reason')} placeholder={p.status === 'applied' ? t('r_reason') : t('r_comment_or_reason')}
          maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} className={`${fieldBase} w-full sm:w-64`} />
        {p.status === 'pending_approval' || p.status === 'canary' ? (
          <>
            <button type="button" className={btn} disabled={decide.isPending} onClick={() => decide.mutate('approve')} aria-label={`${t('r_approve')} ${p.id}`}>{t('r_approve')}</button>
            {p.status === 'pending_approval' && <button type="button" className={btn} disabled={decide.isPending} onClick={() => decide.mutate('reject')} aria-label={`${t('r_reject')} ${p.id}`}>{t('r_reject')}</button>}
          </>
        ) : (
          <button type="button" className={btn} disabled={decide.isPending} onClick={() => decide.mutate('rollback')} aria-label={`${t('r_rollback')} ${p.id}`}>{t('r_rollback')}</button>
        )}
      </div>
      {decide.isPending && <p role="status" className="text-xs">{t('r_sending')}</p>}
      {outcome}
      <Refused error={decide.error} t={t} />
    </div>
  );
}

/** mesh:manage: a proposal for one table from its verified predictions; the table's policy then applies it or lets it wait. */
function Generate({ onMade }: { onMade: (id: string) => void }) {
  const { token, t, manager } = useRouting();
  const qc = useQueryClient();
  const tables = useQuery({ queryKey: ['mesh-tables', token], queryFn: () => meshGet<{ items: TableVersion[] }>(token, '/routing'), enabled: manager });
  const [table, setTable] = useState('');
  const generate = useMutation({
    mutationFn: (k: string) => {
      const [region, currency] = k.split('/');
      return meshPost<GeneratedProposal>(token, '/proposals/generate', { region, currency }, actionKey());
    },
    onSuccess: (x) => {
      if (x.proposal) onMade(x.proposal.id);
      for (const k of ['mesh-proposals', 'mesh-tables', 'mesh-table', 'mesh-table-history', 'mesh-actions']) void qc.invalidateQueries({ queryKey: [k] });
    },
  });
  if (!manager) return null;
  const options = (tables.data?.items ?? []).map((v) => `${v.region}/${v.currency}`).sort();
  const chosen = table || options[0] || '';
  return (
    <form aria-label={t('r_generate')} data-generate className="flex flex-wrap items-end gap-2 rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-900/50 dark:ring-slate-700"
      onSubmit={(e) => { e.preventDefault(); if (chosen) generate.mutate(chosen); }}>
      <label className="block text-sm font-medium text-slate-700 dark:text-slate-200">{t('r_table')}
        <select name="generate_table" value={chosen} onChange={(e) => { setTable(e.target.value); generate.reset(); }} className={`${fieldBase} mt-1 block w-40`}>
          {options.map((o) => <option key={o} value={o}>{o.replace('/', ' · ')}</option>)}
        </select>
      </label>
      <button type="submit" className={btn} disabled={generate.isPending || !chosen}>{t('r_generate')}</button>
      <p className="w-full text-xs text-slate-600 dark:text-slate-400">{t('r_generate_note')}</p>
      {generate.data && (
        <p role="status" data-field="generated" data-proposal-id={generate.data.proposal?.id ?? ''} className="w-full text-sm">
          {generate.data.proposal ? `${t('r_generated')} ${generate.data.proposal.id} — ${generate.data.policy.reason}` : `${t('r_not_generated')} ${generate.data.reason}`}
        </p>
      )}
      <div className="w-full"><Refused error={generate.error} t={t} /></div>
    </form>
  );
}

/** mesh:manage: replay the table's last hours of traffic against the proposal (kept with it). */
function Simulate({ proposal: p }: { proposal: Proposal }) {
  const { token, t, manager } = useRouting();
  const qc = useQueryClient();
  const [hours, setHours] = useState('24');
  const simulate = useMutation({
    mutationFn: () => meshPost<Record<string, unknown>>(token, `/proposals/${encodeURIComponent(p.id)}/simulate?hours=${encodeURIComponent(hours)}`, {}, actionKey()),
    onSuccess: (simulation) => {
      qc.setQueryData<Proposal>(['mesh-proposal', token, p.id], (old) => (old ? { ...old, simulation } : old));
      void qc.invalidateQueries({ queryKey: ['mesh-actions'] });
    },
  });
  if (!manager) return null;
  return (
    <div className="mt-2 flex flex-wrap items-end gap-2">
      <label className="block text-xs font-medium text-slate-700 dark:text-slate-200">{t('r_simulate_hours')}
        <input name="simulate_hours" type="number" min={1} max={744} value={hours} onChange={(e) => setHours(e.target.value)} className={`${fieldBase} mt-1 block w-24`} />
      </label>
      <button type="button" className={btn} disabled={simulate.isPending || !/^\d+$/.test(hours)} onClick={() => simulate.mutate()} aria-label={`${t('r_simulate')} ${p.id}`}>{t('r_simulate')}</button>
      <div className="w-full"><Refused error={simulate.error} t={t} /></div>
    </div>
  );
}

/** A canary: start one on a proposal awaiting approval (mesh:approve), stop a live one (mesh:manage). */
function Canary({ proposal: p }: { proposal: Proposal }) {
  const { token, t, approver, manager } = useRouting();
  const qc = useQueryClient();
  const rules = useRules(token);
  const [percent, setPercent] = useState('10');
  const [rule, setRule] = useState('');
  const key = useRef<{ key: string; action: string } | null>(null);
  const change = useMutation({
    mutationFn: (what: 'start' | 'stop') => {
      const ruleId = rule || rules.data?.items[0]?.id || '';
      const body = what === 'start' ? { percent: Number(percent), alert_rule_id: Number(ruleId) } : {};
      const action = `${p.id}|canary-${what}|${JSON.stringify(body)}`;
      if (!key.current || key.current.action !== action) key.current = { key: actionKey(), action };
      return meshPost<unknown>(token, `/proposals/${encodeURIComponent(p.id)}/canary${what === 'stop' ? '/stop' : ''}`, body, key.current.key);
    },
    onSuccess: () => {
      key.current = null;
      for (const k of ['mesh-proposal', 'mesh-proposals', 'mesh-actions']) void qc.invalidateQueries({ queryKey: [k] });
    },
    onError: (err) => { if (answered(err)) key.current = null; },
  });
  const ruleItems = rules.data?.items ?? [];
  if (p.status === 'canary') {
    if (!manager) return null;
    return (
      <div className="space-y-2" data-canary-form="stop">
        <button type="button" className={btn} disabled={change.isPending} onClick={() => change.mutate('stop')} aria-label={`${t('r_canary_stop')} ${p.id}`}>{t('r_canary_stop')}</button>
        <Refused error={change.error} t={t} />
      </div>
    );
  }
  if (!approver) return null;
  return (
    <form aria-label={t('r_canary')} data-canary-form="start" onSubmit={(e) => { e.preventDefault(); change.mutate('start'); }}
      className="space-y-2 rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-900/50 dark:ring-slate-700">
      <h3 className="text-sm font-semibold">{t('r_canary')}</h3>
      <p className="text-xs text-slate-600 dark:text-slate-300">{t('r_canary_note')}</p>
      {ruleItems.length > 0 && <div className="flex flex-wrap items-end gap-2">
        <label className="block text-sm font-medium text-slate-700 dark:text-slate-200">{t('r_canary_percent')}
          <input name="canary_percent" type="number" min={1} max={99} required value={percent} onChange={(e) => setPercent(e.target.value)} className={`${fieldBase} mt-1 block w-24`} />
        </label>
        <label className="block text-sm font-medium text-slate-700 dark:text-slate-200">{t('r_canary_rule')}
          <select name="canary_rule" required value={rule || ruleItems[0]?.id || ''} onChange={(e) => setRule(e.target.value)} className={`${fieldBase} mt-1 block w-56`}>
            {ruleItems.map((r) => <option key={r.id} value={r.id}>{r.name} (#{r.id})</option>)}
          </select>
        </label>
        <button type="submit" className={btn} disabled={change.isPending} aria-label={`${t('r_canary_start')} ${p.id}`}>{t('r_canary_start')}</button>
      </div>}
      {rules.isSuccess && ruleItems.length === 0 && <p className="text-xs text-slate-600 dark:text-slate-400">{t('r_canary_no_rules')}</p>}
      <Refused error={change.error ?? rules.error} t={t} />
    </form>
  );
}
