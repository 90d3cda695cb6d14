// The merchant area's side of the portal API (/api/merchant/*, docs/merchant.md): every call
// carries the bearer token and, for an ops user, the merchant it acts for (X-Merchant-Id); the
// server scopes and checks each one. Also money in minor units (the currency's exponent).

import { failure } from './api.ts';

/** Who a call is for: the session token, and the merchant an ops token names (null for a merchant's own token). */
export interface Caller { token: string; merchant: string | null }

function headers(c: Caller, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${c.token}`, Accept: 'application/json', ...(c.merchant ? { 'X-Merchant-Id': c.merchant } : {}), ...extra };
}

export async function mGet<T>(c: Caller, path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  const res = await fetch(`/api/merchant${path}${qs ? `?${qs}` : ''}`, { headers: headers(c) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function mSend<T>(c: Caller, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`/api/merchant${path}`, {
    method,
    headers: headers(c, body === undefined || body instanceof FormData ? extra : { 'Content-Type': 'application/json', ...extra }),
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** An evidence file, fetched with the token and handed to the browser as a download (never opened inline). */
export async function mDownload(c: Caller, path: string, filename: string): Promise<void> {
  const res = await fetch(`/api/merchant${path}`, { headers: headers(c, { Accept: '*/*' }) });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A fresh Idempotency-Key: 128 random bits in hex. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * ISO 4217 minor-unit exponents other than 2, as the server has them (src/reference/currencies.ts;
 * test/web/currency-exponent.test.ts keeps the two equal). Not Intl's: CLDR says 0 decimals for
 * COP, HUF, IDR, IQD, MGA, PKR, … where the server (and ISO 4217) counts 2 or 3.
 */
const EXPONENT_NOT_2: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3, CLF: 4, UYW: 4,
};

/** The currency's minor-unit exponent (XOF 0, NGN 2, KWD 3) as the server counts minor units; 2 for an unknown code. */
export function currencyExponent(currency: string): number {
  return Object.hasOwn(EXPONENT_NOT_2, currency) ? EXPONENT_NOT_2[currency] : 2;
}

/**
 * A decimal typed by a user in the currency's major units ("1250.5", "1 250,50") → integer minor
 * units, exactly (string arithmetic, no float); null when it is not a positive amount with at most
 * the currency's decimals.
 */
export function toMinor(input: string, currency: string): number | null {
  const text = input.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return null;
  const exp = currencyExponent(currency);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > exp) return null;
  const minor = Number(m[1] + frac.padEnd(exp, '0'));
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** Integer minor units → the exact decimal string in major units (what formatMoney takes). */
export function fromMinor(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return String(minor);
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  return `${minor < 0 ? '-' : ''}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

// ---- Shapes (src/http/merchant-schemas.ts) ----

export interface Figures {
  sales: string | null; refunds: string | null; fees: string | null; net_revenue: string | null;
  sales_usd: number; refunds_usd: number; fees_usd: number; net_revenue_usd: number;
  transactions: number; succeeded: number; failed: number; pending: number; refund_count: number; success_rate: number | null;
}
export interface Summary {
  merchant_id: string; period: string; tz: string; currency: string | null; from: string; to: string;
  previous_from: string; previous_to: string; as_of: string | null; unconverted_events: number;
  current: Figures; previous: Figures | null; change: Record<string, number | null>;
}
export interface Transaction {
  txn_id: string; status: 'pending' | 'succeeded' | 'failed'; amount: string; fee: string; currency: string; country: string;
  city: string | null; payment_method: string | null; provider: string | null; customer_id: string | null;
  failure_reason: string | null; created_at: string; updated_at: string; event_count: number;
}
export interface Page<T> { items: T[]; next_cursor: string | null }
export interface RawEvent { event_id: string; type: string; status?: string | null; occurred_at: string; amount?: string | null; currency?: string | null; refund_id?: string | null; dispute_id?: string | null; reason?: string | null; [k: string]: unknown }
export interface TransactionDetail { transaction: Transaction; events: RawEvent[]; events_truncated: boolean }
export interface Refund {
  id: string; transaction_id: string; amount: number; amount_decimal: string; currency: string; reason: string | null;
  status: 'pending_approval' | 'approved' | 'rejected'; requested_by: string; requested_at: string;
  decided_by: string | null; decided_at: string | null; decision_reason: string | null;
}
export interface Dispute {
  dispute_id: string; txn_id: string | null; status: 'needs_response' | 'under_review' | 'expired'; reason: string | null;
  amount: string; currency: string; created_at: string; due_by: string; due_by_local: string; time_zone: string;
  submitted_at: string | null; submitted_by: string | null; evidence_count: number; evidence_bytes: number;
}
export interface Evidence {
  id: string; filename: string; content_type: string; size: number; sha256: string; description: string | null;
  uploaded_at: string; uploaded_by: string; state: 'draft' | 'submitted';
}
export type DisputeDetail = Dispute & { evidence: Evidence[] };
export interface AuditEntry {
  id: string; at: string; actor: string; actor_kind: 'merchant' | 'ops' | 'link'; action: string; object_type: string | null;
  object_id: string | null; ip: string | null; user_agent: string | null; request_id: string | null; detail: Record<string, unknown>;
}
export interface Settings { merchant_id: string; time_zone: string; updated_at: string | null; updated_by: string | null }

export type PayoutInterval = 'manual' | 'daily' | 'weekly' | 'monthly';
export interface Payout {
  payout_id: string; status: 'pending' | 'settled'; amount: number; amount_decimal: string; currency: string;
  created_at: string; settled_at: string | null; event_count: number;
}
export interface UpcomingBalance {
  currency: string; captured: number; refunds: number; fees: number; paid_out: number; balance: number; held: number;
  amount: number; amount_decimal: string; minimum_amount: number; reaches_minimum: boolean;
}
export interface UpcomingPayout { interval: PayoutInterval; time_zone: string; scheduled_for: string | null; held_from: string; balances: UpcomingBalance[] }
export interface PayoutPage extends Page<Payout> { upcoming: UpcomingPayout | null }
export interface CoveredTransaction { txn_id: string; captured_at: string; amount: number; fee: number; refunded: number; net: number; covered: number; covered_before: number }
export type PayoutDetail = Payout & { transactions: CoveredTransaction[]; covered_amount: number; uncovered_amount: number };
export interface PayoutSchedule {
  merchant_id: string; interval: PayoutInterval; weekly_anchor: string; monthly_anchor: number; delay_days: number;
  minimum_amounts: Record<string, number>; updated_at: string | null; updated_by: string | null;
}

export interface ExportJob {
  id: string; kind: string; format: 'csv' | 'xlsx' | 'pdf'; lang: 'en' | 'fr'; from: string; to: string;
  status: 'queued' | 'running' | 'ready' | 'failed' | 'expired'; rows: number | null; bytes: number | null; error: string | null;
  requested_by: string; requested_at: string; finished_at: string | null; download_url: string | null; download_expires_at: string | null;
}

/** The attachment's filename from Content-Disposition (filename*=UTF-8'' first), else `fallback`. */
function attachmentName(header: string | null, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '');
  if (star) { try { return decodeURIComponent(star[1]!); } catch { /* fall through */ } }
  return /filename="?([^";]+)"?/i.exec(header ?? '')?.[1] ?? fallback;
}

/**
 * GET /api/merchant/export: a small export is the file itself, handed to the browser as a
 * download at once; a large one is 202 and a background job to poll.
 */
export async function mExport(c: Caller, params: Record<string, string>): Promise<{ file: string } | { job: ExportJob }> {
  const res = await fetch(`/api/merchant/export?${new URLSearchParams(params).toString()}`, { headers: headers(c, { Accept: '*/*' }) });
  if (!res.ok) throw await failure(res);
  if (res.status === 202) return { job: (await res.json()) as ExportJob };
  const filename = attachmentName(res.headers.get('Content-Disposition'), `${params.kind}.${params.format}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { file: filename };
}

/** The event types an endpoint can take (MERCHANT_WEBHOOK_EVENTS in src/merchant/merchant-webhooks.ts). */
export const WEBHOOK_EVENTS = [
  'merchant.refund.created', 'merchant.refund.approved', 'merchant.refund.rejected', 'merchant.dispute.due_soon',
  'alert.firing', 'alert.resolved', 'alert.nodata', 'alert.error', 'analytics.anomaly',
] as const;
export interface Webhook {
  id: number; url: string; event_types: string[] | null; enabled: boolean; disabled_reason: string | null;
  created_by: string; created_at: string; active_secrets: number;
}
export type WebhookCreated = Webhook & { secret: string; warnings: Array<{ code: string; message: string }> };
export interface WebhookDelivery { at: string; msg_id: string; event_type: string; attempt: number; outcome: string; status_code: number | null; duration_ms: number }
export type WebhookDetail = Webhook & { deliveries: WebhookDelivery[] };

export const MERCHANT_ALERT_STATES = ['pending', 'firing', 'resolved', 'nodata', 'error'] as const;
export interface MerchantAlert {
  id: number; kind: 'rule' | 'dispute_due_soon'; rule_id: number | null; rule_name: string | null;
  state: (typeof MERCHANT_ALERT_STATES)[number]; severity: 'info' | 'warn' | 'critical'; detail: string | null;
  labels: Record<string, unknown>; observed: number | null; started_at: string; firing_since: string | null; resolved_at: string | null;
  acknowledged_by: string | null; acknowledged_at: string | null;
}
