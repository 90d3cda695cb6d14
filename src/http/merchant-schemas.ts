// Response shapes of the merchant portal (/api/merchant/*) for the OpenAPI document and Fastify's
// serializer. Every field is listed and required: the serializer drops what a schema leaves out,
// and the OpenAPI test checks the handler's answer is sent whole.

import { isoTime, nullableIsoTime } from './response-schemas.ts';
import { rawEventSchema } from './routes/raw-events.ts';

const s = { type: 'string' };
const ns = { type: ['string', 'null'] };
const int = { type: 'integer' };
const nn = { type: ['number', 'null'] };
const exact = (what: string) => ({ ...ns, description: `${what}: exact decimal in \`currency\`'s major units; null without a currency` });
const usd = (what: string) => ({ type: 'number', description: `${what} in USD at each day's rate` });

/** An object whose every property is required. */
function closed(properties: Record<string, unknown>, description?: string) {
  return { type: 'object', ...(description ? { description } : {}), required: Object.keys(properties), properties };
}

const figures = closed({
  sales: exact('amount of succeeded transactions'), refunds: exact('amount refunded'), fees: exact('fees of succeeded transactions'),
  net_revenue: exact('sales − refunds − fees'),
  sales_usd: usd('sales'), refunds_usd: usd('refunds'), fees_usd: usd('fees'), net_revenue_usd: usd('net revenue'),
  transactions: { ...int, description: 'transactions created, any status' }, succeeded: int, failed: int, pending: int,
  refund_count: { ...int, description: 'refunds created' },
  success_rate: { ...nn, description: 'succeeded / (succeeded + failed); null with neither' },
});

export const summaryResponse = closed({
  merchant_id: s, period: s, tz: { ...s, description: 'the time zone the period is computed in' }, currency: ns,
  from: isoTime, to: isoTime, previous_from: isoTime, previous_to: isoTime,
  as_of: { ...nullableIsoTime, description: 'event time up to which ingestion is complete' },
  unconverted_events: { ...int, description: 'events in the period still waiting for an FX rate (left out of USD sums)' },
  current: figures,
  previous: { ...figures, type: ['object', 'null'], description: 'the previous period of equal length; null when it reaches past the rollups kept' },
  change: { type: 'object', description: 'relative change (current − previous) / |previous| per figure; null when undefined', additionalProperties: nn },
});

export const transactionSchema = closed({
  txn_id: s, status: { type: 'string', enum: ['pending', 'succeeded', 'failed'], description: 'the status of its latest event' },
  amount: { ...s, description: 'exact decimal in the currency\'s major units, from its latest event' }, fee: s, currency: s, country: s,
  city: ns, payment_method: ns, provider: ns, customer_id: ns, failure_reason: ns,
  created_at: { ...isoTime, description: 'its earliest payment event' }, updated_at: { ...isoTime, description: 'its latest payment event' },
  event_count: { ...int, description: 'payment events' },
});

export const transactionPage = closed({
  items: { type: 'array', items: transactionSchema },
  next_cursor: { ...ns, description: 'pass as cursor for the next page (same sort and filters); null on the last' },
});

export const transactionDetail = closed({
  transaction: transactionSchema,
  events: { type: 'array', items: rawEventSchema, description: 'its payment events and the refunds and disputes naming it, oldest first' },
  events_truncated: { type: 'boolean', description: 'more than 1,000 events name it: the newest 1,000 are given' },
});

const auditItem = closed({
  id: s, at: isoTime, actor: { ...s, description: 'the token subject' },
  actor_kind: { type: 'string', enum: ['merchant', 'ops', 'link'], description: 'the merchant\'s own user, an operator acting for it, or a signed download link (which names no user: actor `signed_link`)' },
  action: s, object_type: ns, object_id: ns, ip: { ...ns, description: 'the client address (behind TRUST_PROXY proxies: the forwarded one)' },
  user_agent: ns, request_id: ns, detail: { type: 'object', additionalProperties: true },
});

export const auditPage = closed({ items: { type: 'array', items: auditItem }, next_cursor: ns });

export const settingsSchema = closed({
  merchant_id: s, time_zone: { ...s, description: 'IANA zone of the merchant\'s periods' },
  updated_at: { ...nullableIsoTime, description: 'null while the merchant has the defaults' }, updated_by: ns,
});

export const refundSchema = closed({
  id: { ...s, description: 'the refund id (rf_…), the refund_id of its refund_created event' },
  transaction_id: s,
  amount: { ...int, description: 'minor units of `currency`' },
  amount_decimal: { ...s, description: 'the same amount, an exact decimal in the currency\'s major units' },
  currency: s, reason: ns,
  status: { type: 'string', enum: ['pending_approval', 'approved', 'rejected'], description: 'pending_approval above REFUND_APPROVAL_THRESHOLD until another person decides' },
  requested_by: { ...s, description: 'the token subject who requested it' }, requested_at: isoTime,
  decided_by: { ...ns, description: 'who approved or rejected it; null while pending, and when approved at once (at or below the threshold)' },
  decided_at: nullableIsoTime, decision_reason: ns,
});

export const refundPage = closed({
  items: { type: 'array', items: refundSchema },
  next_cursor: { ...ns, description: 'pass as cursor for the next page (same filters); null on the last' },
});

const disputeFields = {
  dispute_id: s, txn_id: { ...ns, description: 'the disputed transaction' },
  status: { type: 'string', enum: ['needs_response', 'under_review', 'expired'], description: 'under_review once submitted; else needs_response until due_by, expired after' },
  reason: ns, amount: { ...s, description: 'exact decimal in the currency\'s major units' }, currency: s,
  created_at: { ...isoTime, description: 'occurred_at of its dispute_created event' },
  due_by: { ...isoTime, description: 'created_at + DISPUTE_RESPONSE_DAYS, UTC' },
  due_by_local: { ...s, description: 'due_by in the merchant\'s time zone, ISO 8601 with its offset' },
  time_zone: { ...s, description: 'the merchant\'s time zone (its settings)' },
  submitted_at: nullableIsoTime, submitted_by: ns,
  evidence_count: int, evidence_bytes: int,
};

export const evidenceSchema = closed({
  id: s, filename: { ...s, description: 'the uploader\'s file name, cleaned: a display name only (the stored file has a server key)' },
  content_type: { type: 'string', enum: ['application/pdf', 'image/png', 'image/jpeg'], description: 'judged from the bytes' },
  size: int, sha256: { ...s, description: 'SHA-256 of the bytes stored, hex' }, description: ns,
  uploaded_at: isoTime, uploaded_by: s, state: { type: 'string', enum: ['draft', 'submitted'], description: 'draft until the dispute is submitted, then locked' },
});

export const disputeSchema = closed(disputeFields);
export const disputePage = closed({
  items: { type: 'array', items: disputeSchema },
  next_cursor: { ...ns, description: 'pass as cursor for the next page (same filters); null on the last' },
});
export const disputeDetail = closed({ ...disputeFields, evidence: { type: 'array', items: evidenceSchema, description: 'in upload order' } });
export const submission = closed({ submitted_at: isoTime });

const webhookFields = {
  id: { ...int, description: 'the endpoint id (the same under /api/analytics/alerts/webhooks)' },
  url: s,
  event_types: { type: ['array', 'null'], items: s, description: 'the event types it takes; null: every event' },
  enabled: { type: 'boolean', description: 'false once deleted (or disabled after a 410 Gone): nothing more is delivered' },
  disabled_reason: ns, created_by: s, created_at: isoTime,
  active_secrets: { ...int, description: 'secrets deliveries are signed with' },
};
export const merchantWebhookSchema = closed(webhookFields, 'a webhook endpoint of the merchant (its secret is never shown again)');
export const merchantWebhookList = closed({ items: { type: 'array', items: merchantWebhookSchema } });
export const merchantWebhookCreated = closed({
  ...webhookFields,
  secret: { ...s, description: 'whsec_…: shown this once; verify each delivery\'s webhook-signature with it (docs/alerts.md#webhooks)' },
  warnings: {
    type: 'array', description: 'e.g. a host name that does not resolve yet',
    items: closed({ code: { type: 'string', enum: ['host_unresolvable'] }, message: s }),
  },
}, 'the new endpoint with its secret');
const deliveryItem = closed({
  at: isoTime, msg_id: { ...s, description: 'the webhook-id header of the message' }, event_type: s,
  attempt: int, outcome: { ...s, description: 'delivered, or why not: http_<status>, timeout, network_error, gone, redirect_refused, target_not_allowed' },
  status_code: { type: ['integer', 'null'] }, duration_ms: int,
});
export const merchantWebhookDetail = closed({
  ...webhookFields, deliveries: { type: 'array', items: deliveryItem, description: 'its latest 50 delivery attempts, newest first' },
});

const merchantAlert = closed({
  id: int,
  kind: { type: 'string', enum: ['rule', 'dispute_due_soon'], description: 'rule: raised by one of its alert rules; dispute_due_soon: a dispute\'s response is due within 24 hours' },
  rule_id: { type: ['integer', 'null'] }, rule_name: ns,
  state: { type: 'string', enum: ['pending', 'firing', 'resolved', 'nodata', 'error'] },
  severity: { type: 'string', enum: ['info', 'warn', 'critical'] }, detail: ns,
  labels: { type: 'object', additionalProperties: true, description: 'its group\'s labels (a rule\'s group by; a dispute\'s dispute_id and due_by)' },
  observed: nn, started_at: isoTime, firing_since: nullableIsoTime, resolved_at: nullableIsoTime,
  acknowledged_by: ns, acknowledged_at: nullableIsoTime,
});
export const merchantAlertPage = closed({
  items: { type: 'array', items: merchantAlert },
  next_cursor: { ...ns, description: 'pass as cursor for the next page (same filter); null on the last' },
});

const minor = (what: string) => ({ ...int, description: `${what}, in minor units of \`currency\`` });
const payoutFields = {
  payout_id: s,
  status: { type: 'string', enum: ['pending', 'settled'], description: 'settled once a payout.settled event names it; pending until then' },
  amount: minor('the amount paid out'), amount_decimal: { ...s, description: 'the same amount, an exact decimal in the currency\'s major units' },
  currency: s,
  created_at: { ...isoTime, description: 'its earliest payout event' },
  settled_at: { ...nullableIsoTime, description: 'its earliest payout.settled event' },
  event_count: { ...int, description: 'payout events folded into it' },
};
export const payoutSchema = closed(payoutFields);

const upcomingBalance = closed({
  currency: s, captured: minor('amount of succeeded transactions'), refunds: minor('their refunds'), fees: minor('their fees'),
  paid_out: minor('payouts so far'), balance: minor('captured − refunds − fees − paid_out'),
  held: minor('net of the transactions captured at or after held_from (the delay)'),
  amount: minor('what the next payout would pay: max(0, balance − held)'),
  amount_decimal: { ...s, description: 'amount, an exact decimal in the currency\'s major units' },
  minimum_amount: minor('the schedule\'s minimum for this currency (0: none)'),
  reaches_minimum: { type: 'boolean', description: 'amount > 0 and amount ≥ minimum_amount' },
});

export const upcomingPayoutSchema = closed({
  interval: { type: 'string', enum: ['manual', 'daily', 'weekly', 'monthly'] },
  time_zone: { ...s, description: 'the merchant\'s time zone: the dates are its local dates' },
  scheduled_for: { type: ['string', 'null'], format: 'date', description: 'the next payout date (local), YYYY-MM-DD; null for a manual schedule' },
  held_from: { ...isoTime, description: 'transactions captured at or after this instant wait for a later payout (delay_days before the payout date, local midnight)' },
  balances: { type: 'array', items: upcomingBalance, description: 'one per currency the merchant has transactions or payouts in' },
}, 'the upcoming payout, from the balance and the schedule');

export const payoutPage = closed({
  upcoming: { ...upcomingPayoutSchema, type: ['object', 'null'], description: 'the upcoming payout; on the first page only (null with a cursor)' },
  items: { type: 'array', items: payoutSchema, description: 'newest first' },
  next_cursor: { ...ns, description: 'pass as cursor for the next page; null on the last' },
});

const coveredTransaction = closed({
  txn_id: s, captured_at: { ...isoTime, description: 'its latest payment event' },
  amount: minor('its captured amount'), fee: minor('its fee'), refunded: minor('its refunds'), net: minor('amount − fee − refunds'),
  covered: minor('the part of net this payout pays'), covered_before: minor('the part of net earlier payouts paid'),
});

export const payoutDetail = closed({
  ...payoutFields,
  transactions: { type: 'array', items: coveredTransaction, description: 'the transactions it covers, first in first out by capture time; a transaction may be split between two payouts' },
  covered_amount: minor('the sum of `covered`: the payout\'s amount'),
  uncovered_amount: minor('amount − covered_amount: what no transaction of the stream accounts for (0 unless transactions are missing, e.g. beyond raw retention)'),
});

const scheduleInputFields = {
  interval: { type: 'string', enum: ['manual', 'daily', 'weekly', 'monthly'], description: 'manual: no automatic payout' },
  weekly_anchor: { type: 'string', enum: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], description: 'weekly: the weekday (local)' },
  monthly_anchor: { type: 'integer', minimum: 1, maximum: 31, description: 'monthly: the day of the month; 29–31 fall back to a shorter month\'s last day' },
  delay_days: { type: 'integer', minimum: 0, maximum: 60, description: 'days a captured transaction waits before a payout can pay it' },
  minimum_amounts: {
    type: 'object', maxProperties: 200, additionalProperties: false,
    patternProperties: { '^[A-Z]{3}$': { type: 'integer', minimum: 0, maximum: 1_000_000_000_000_000 } },
    description: 'per ISO 4217 currency, the least amount (its minor units) worth a payout; a currency not named has none',
  },
};

export const payoutScheduleBody = {
  type: 'object', additionalProperties: false, required: ['interval'], properties: scheduleInputFields,
  description: 'the whole schedule: fields left out take their defaults (weekly_anchor monday, monthly_anchor 1, delay_days 2, minimum_amounts {})',
};

export const payoutScheduleSchema = closed({
  merchant_id: s, ...scheduleInputFields,
  updated_at: { ...nullableIsoTime, description: 'null while the merchant has the defaults' }, updated_by: ns,
});

export const exportJobSchema = closed({
  id: { ...s, description: 'the export id (ex_…)' },
  kind: s, format: { type: 'string', enum: ['csv', 'xlsx', 'pdf'] }, lang: { type: 'string', enum: ['en', 'fr'] },
  from: isoTime, to: isoTime,
  status: { type: 'string', enum: ['queued', 'running', 'ready', 'failed', 'expired'], description: 'expired: its file was deleted, EXPORT_RETENTION_HOURS after it was ready' },
  rows: { type: ['integer', 'null'], description: 'rows written (ready), or so far (running)' },
  bytes: { type: ['integer', 'null'], description: 'size of the file (ready)' },
  error: { ...ns, description: 'why it failed: `interrupted` (its process stopped), an error code, or `internal`' },
  requested_by: s, requested_at: isoTime, finished_at: nullableIsoTime,
  download_url: { ...ns, description: 'ready only: a signed link to the file (no bearer token needed), valid until download_expires_at; a fresh one on every call' },
  download_expires_at: nullableIsoTime,
}, 'A background export');
