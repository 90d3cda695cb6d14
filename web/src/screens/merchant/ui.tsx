// Small shared pieces of the merchant area: status badges, dates in the merchant's zone, the
// deadline countdown, and how a server refusal reads (its code in words, then the code itself).

import { ListStateOf, Refusal, type RefusalWords } from '../../components/Refusal.tsx';
import { formatDateTime } from '../../format.ts';
import { LOCALE, type Lang, type MessageKey } from '../../i18n.ts';
import type { T } from '../alerts/ui.tsx';

const BADGE: Record<string, string> = {
  succeeded: 'bg-emerald-100 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  settled: 'bg-emerald-100 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  approved: 'bg-emerald-100 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800',
  under_review: 'bg-sky-100 text-sky-800 ring-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800',
  pending: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  pending_approval: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  needs_response: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  failed: 'bg-red-100 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  rejected: 'bg-red-100 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  expired: 'bg-slate-200 text-slate-700 ring-slate-300 dark:bg-slate-700 dark:text-slate-200 dark:ring-slate-600',
};

/** A status in words (`m_status_<status>`), coloured. */
export function StatusBadge({ status, t }: { status: string; t: T }) {
  return (
    <span data-status={status} className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${BADGE[status] ?? BADGE.expired}`}>
      {t(`m_status_${status}` as MessageKey) ?? status}
    </span>
  );
}

/** A date and time in the merchant's zone (the dashboard's one format: format.ts). */
export function when(lang: Lang, tz: string, iso: string | null | undefined): string {
  if (!iso) return '—';
  return formatDateTime(iso, lang, tz);
}

/** Time left until `due` in days, hours and minutes ("2 d 4 h left" / "expired 3 h ago"), in the language. */
export function countdown(dueIso: string, now: number, t: T): { text: string; urgent: boolean; past: boolean } {
  const ms = Date.parse(dueIso) - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const span = d > 0 ? `${d} ${t('m_unit_d')} ${h} ${t('m_unit_h')}` : h > 0 ? `${h} ${t('m_unit_h')} ${m} ${t('m_unit_min')}` : `${m} ${t('m_unit_min')}`;
  return ms >= 0
    ? { text: t('m_due_in').replace('{span}', span), urgent: ms < 86_400_000, past: false }
    : { text: t('m_due_past').replace('{span}', span), urgent: false, past: true };
}

/** Codes the portal answers with, told in words (the code itself is shown beside). */
const KNOWN = new Set([
  'four_eyes_required', 'refund_pending', 'refund_not_pending', 'refund_exceeds_captured', 'transaction_not_refundable',
  'currency_mismatch', 'idempotency_key_in_use', 'idempotency_key_reused', 'forbidden', 'forbidden_merchant', 'not_found',
  'file_refused', 'file_too_large', 'evidence_limit_exceeded', 'dispute_expired', 'dispute_submitted', 'evidence_required',
  'invalid_time_zone', 'merchant_required', 'state_unavailable', 'step_up_required', 'too_many_exports', 'invalid_range', 'target_not_allowed',
]);

/** This area's words for a refusal: its known codes (m_err_<code>), the others by the server's message. */
const words = (t: T): RefusalWords => ({
  refused: t('m_server_refused'), networkError: t('m_network_error'),
  known: (code) => (KNOWN.has(code) ? t(`m_err_${code}` as MessageKey) : null),
});

/** A refused request, where it happened: what the server said, in words, with its status and code. */
export function ServerRefusal({ error, t }: { error: Error | null; t: T }) {
  return <Refusal error={error} words={words(t)} />;
}

/** Loading, error and empty states of a list. */
export function ListState({ loading, error, empty, t }: { loading: boolean; error: Error | null; empty: boolean; t: T }) {
  return <ListStateOf loading={loading} error={error} empty={empty} words={words(t)} loadingText={t('loading')} emptyText={t('m_empty')} />;
}

export function bytes(n: number, lang: Lang): string {
  const f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 });
  return n >= 1_048_576 ? `${f.format(n / 1_048_576)} MB` : n >= 1024 ? `${f.format(n / 1024)} kB` : `${f.format(n)} B`;
}
