// Dispute deadline reminders, a background part (src/start-parts.ts, `dispute-deadlines`, run
// where the alert scheduler runs): every minute it finds the disputes, of every merchant, whose
// response is due within the next 24 hours (due_by = opened + DISPUTE_RESPONSE_DAYS, disputes.ts)
// and whose evidence is not submitted, and for each one, once: an alert for the merchant (kind
// dispute_due_soon, GET /api/merchant/alerts) and a `merchant.dispute.due_soon` webhook to the
// merchant's own endpoints (delivered by the alert scheduler's outbox).
//
// Once per dispute, whatever the schedulers and restarts: the reminder is claimed by a row of
// merchant_dispute_reminders (its key the merchant and dispute) in the transaction that raises the
// alert and queues the webhook, so a second scheduler's claim finds the row and does nothing. A
// dispute whose window passed while no scheduler ran (its due_by is past) is not reminded.
// The alert resolves itself once the dispute is submitted or its due_by passes.

import type { Logger } from 'pino';
import { enqueue } from '../alerts/outbox.ts';
import { formatMinor } from '../events/amount.ts';
import { dimension, type DimContext } from '../query/query-dimensions.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import type { AnalyticsStore, DisputePageQuery, DisputeRow } from '../store/analytics-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { periodicPart, type Part } from '../start-parts.ts';

export const DUE_SOON_MS = 86_400_000;
export const DUE_SOON_EVENT = 'merchant.dispute.due_soon';
const DAY_MS = 86_400_000;
const EVERY_MS = 60_000;
const PAGE = 500;

export interface DeadlineDeps {
  store: AnalyticsStore;
  dims: DimContext;
  state: StateStore;
  now: () => number;
  /** DISPUTE_RESPONSE_DAYS. */
  responseDays: number;
  log: Logger;
  /** Each reminder sent (the claim won). */
  onReminder?: () => void;
}

export interface DisputeDeadlines extends Part {
  /** One pass now: returns how many disputes this pass reminded. */
  remindNow(): Promise<number>;
}

export function createDisputeDeadlines(deps: DeadlineDeps): DisputeDeadlines {
  const remindNow = () => remindDueDisputes(deps);
  const part = periodicPart({ what: 'dispute deadline reminders', everyMs: EVERY_MS, atStart: true, log: deps.log }, async () => {
    const sent = await remindNow();
    if (sent) deps.log.info({ sent }, 'disputes due within 24 hours reminded');
  });
  return { ...part, remindNow };
}

/** Reminds every dispute due within 24 hours and not submitted, not reminded yet; resolves the alerts that are over. */
export async function remindDueDisputes(deps: DeadlineDeps): Promise<number> {
  const now = deps.now();
  // due_by in (now, now + 24 h]  ⇔  opened in (now − days, now − days + 24 h].
  const openedAfter = now - deps.responseDays * DAY_MS;
  const q: DisputePageQuery = { merchantKey: null, from: openedAfter + 1, to: openedAfter + DUE_SOON_MS + 1, disputeId: null, after: null, limit: PAGE };
  let sent = 0;
  for (;;) {
    const rows = await deps.store.merchantDisputePage(q);
    for (const row of rows) if (await remindOne(deps, row, now)) sent++;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    q.after = { createdAt: last.createdAt, disputeId: last.disputeId, merchantKey: last.merchantKey };
  }
  await resolveOver(deps.state, now);
  return sent;
}

async function remindOne(deps: DeadlineDeps, row: DisputeRow, now: number): Promise<boolean> {
  const merchantId = dimension('merchant_id').decode(row.merchantKey, deps.dims);
  if (merchantId === null) return false;
  const dueBy = new Date(row.createdAt + deps.responseDays * DAY_MS);
  const currency = currencyCode(row.currencyKey);
  const dispute = {
    dispute_id: row.disputeId, txn_id: row.txnId, reason: row.reason, amount: formatMinor(row.amountMinor, currencyExponent(currency) ?? 0),
    currency, created_at: new Date(row.createdAt).toISOString(), due_by: dueBy.toISOString(),
  };
  const claimed = await deps.state.transaction(async (q) => {
    const submitted = await q.query(
      'SELECT 1 FROM dispute_responses WHERE merchant_id = $1 AND dispute_id = $2 AND submitted_at IS NOT NULL', [merchantId, row.disputeId]);
    if (submitted.length) return false;
    const claim = await q.query(
      `INSERT INTO merchant_dispute_reminders (merchant_id, dispute_id, due_by, sent_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (merchant_id, dispute_id) DO NOTHING RETURNING dispute_id`,
      [merchantId, row.disputeId, dueBy, new Date(now)]);
    if (!claim.length) return false;
    const hours = Math.max(1, Math.round((dueBy.getTime() - now) / 3_600_000));
    const [alert] = await q.query<{ id: number }>(
      `INSERT INTO alerts (rule_id, kind, fingerprint, group_labels, merchant_id, state, severity, detail, started_at, firing_since,
         last_evaluated_at, last_notified_at)
       VALUES (NULL, 'dispute_due_soon', $1, $2, $3, 'firing', 'warn', $4, $5, $5, $5, $5) RETURNING id`,
      [`dispute_due_soon:${merchantId}:${row.disputeId}`, { dispute_id: row.disputeId, due_by: dispute.due_by }, merchantId,
        `dispute ${row.disputeId} (${dispute.amount} ${currency}): the response is due by ${dispute.due_by}, in about ${hours} h, and its evidence is not submitted`,
        new Date(now)]);
    await q.query('UPDATE merchant_dispute_reminders SET alert_id = $3 WHERE merchant_id = $1 AND dispute_id = $2', [merchantId, row.disputeId, alert.id]);
    await enqueue(q, {
      type: DUE_SOON_EVENT, dedupeKey: `dispute:${merchantId}:${row.disputeId}:due_soon`, merchantId, merchantOnly: true, at: now,
      payload: { merchant_id: merchantId, dispute, alert_id: Number(alert.id), at: new Date(now).toISOString() },
    }, null);
    return true;
  });
  if (claimed) deps.onReminder?.();
  return claimed;
}

/** The reminders' alerts whose dispute was submitted or whose due_by passed: resolved. */
async function resolveOver(state: StateStore, now: number): Promise<void> {
  await state.query(
    `UPDATE alerts a SET state = 'resolved', resolved_at = $1, last_evaluated_at = $1
     FROM merchant_dispute_reminders m LEFT JOIN dispute_responses r ON r.merchant_id = m.merchant_id AND r.dispute_id = m.dispute_id
     WHERE a.id = m.alert_id AND a.kind = 'dispute_due_soon' AND a.state = 'firing' AND (m.due_by <= $1 OR r.submitted_at IS NOT NULL)`,
    [new Date(now)]);
}
