// GET /api/merchant/disputes[/:id]: the merchant's disputes. What a dispute is — its transaction,
// amount, currency, reason, when it was opened — comes from the analytics stream's
// dispute_created events (store/queries/merchant-disputes.ts); what the merchant did about it —
// its evidence, its submission — from the state store (tables dispute_responses and
// dispute_evidence). The events carry no deadline, so `due_by` is the opening time plus
// DISPUTE_RESPONSE_DAYS, shown in UTC and in the merchant's time zone.
//
// Status, derived: `under_review` once submitted; otherwise `needs_response` until due_by and
// `expired` after it. The events carry no outcome (won, lost), so none is shown.
//
// A dispute of another merchant is looked up within this merchant only, so it is missing exactly
// as an unknown id is: the same 404, byte for byte.

import { DateTime } from 'luxon';
import { AppError } from '../errors.ts';
import { formatMinor } from '../events/amount.ts';
import { MAX_ID } from '../events/parse-event.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import { dimension, type DimContext } from '../query/query-dimensions.ts';
import { QUERY_TIME_MAX } from '../query/run-query.ts';
import type { AnalyticsStore, DisputePageQuery, DisputeRow } from '../store/analytics-store.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { getMerchantSettings } from './merchant-settings.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

export interface DisputeDeps {
  store: AnalyticsStore;
  dims: DimContext;
  state: StateStore;
  now: () => number;
  /** Days a merchant has to answer a dispute (DISPUTE_RESPONSE_DAYS). */
  responseDays: number;
}

export const DISPUTE_STATUSES = ['needs_response', 'under_review', 'expired'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const MAX_DISPUTE_PAGE = 200;
/** Disputes read from the store at a time while a status filter leaves pages short. */
const FILTER_BATCH = 500;
const DAY_MS = 86_400_000;

export interface Dispute {
  dispute_id: string;
  txn_id: string | null;
  status: DisputeStatus;
  reason: string | null;
  /** Exact decimal in the currency's major units. */
  amount: string;
  currency: string;
  created_at: string;
  due_by: string;
  /** due_by in the merchant's time zone, with its offset. */
  due_by_local: string;
  time_zone: string;
  submitted_at: string | null;
  submitted_by: string | null;
  evidence_count: number;
  evidence_bytes: number;
}

export interface EvidenceItem {
  id: string;
  /** The uploader's file name, cleaned (src/files/download-headers.ts): a display name only. */
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  description: string | null;
  uploaded_at: string;
  uploaded_by: string;
  /** draft until the dispute is submitted, then submitted (locked). */
  state: 'draft' | 'submitted';
}

export interface DisputeDetail extends Dispute {
  /** In upload order. */
  evidence: EvidenceItem[];
}

export interface DisputeFilters {
  statuses: DisputeStatus[];
  /** Opened in [from, to), epoch ms. */
  from?: number;
  to?: number;
}

/** What the state store holds of a dispute's response. */
export interface ResponseState {
  submittedAt: Date | null;
  submittedBy: string | null;
  evidenceCount: number;
  evidenceBytes: number;
}

const NO_RESPONSE: ResponseState = { submittedAt: null, submittedBy: null, evidenceCount: 0, evidenceBytes: 0 };

export function dueBy(deps: Pick<DisputeDeps, 'responseDays'>, createdAt: number): number {
  return createdAt + deps.responseDays * DAY_MS;
}

function statusOf(deps: DisputeDeps, row: DisputeRow, response: ResponseState): DisputeStatus {
  if (response.submittedAt !== null) return 'under_review';
  return deps.now() < dueBy(deps, row.createdAt) ? 'needs_response' : 'expired';
}

function decode(deps: DisputeDeps, row: DisputeRow, response: ResponseState, timeZone: string): Dispute {
  const currency = currencyCode(row.currencyKey);
  const due = dueBy(deps, row.createdAt);
  return {
    dispute_id: row.disputeId,
    txn_id: row.txnId,
    status: statusOf(deps, row, response),
    reason: row.reason,
    amount: formatMinor(row.amountMinor, currencyExponent(currency) ?? 0),
    currency,
    created_at: new Date(row.createdAt).toISOString(),
    due_by: new Date(due).toISOString(),
    due_by_local: DateTime.fromMillis(due, { zone: timeZone }).toISO({ suppressMilliseconds: false }) ?? new Date(due).toISOString(),
    time_zone: timeZone,
    submitted_at: response.submittedAt?.toISOString() ?? null,
    submitted_by: response.submittedBy,
    evidence_count: response.evidenceCount,
    evidence_bytes: response.evidenceBytes,
  };
}

/** The responses of these disputes, by dispute id (disputes never touched have none). */
export async function responsesOf(q: Queryable, merchantId: string, disputeIds: string[]): Promise<Map<string, ResponseState>> {
  if (disputeIds.length === 0) return new Map();
  const rows = await q.query<{ dispute_id: string; submitted_at: Date | null; submitted_by: string | null; files: number | string; bytes: number | string | null }>(
    `SELECT r.dispute_id, r.submitted_at, r.submitted_by, count(e.id) AS files, sum(e.size) AS bytes
     FROM dispute_responses r LEFT JOIN dispute_evidence e ON e.merchant_id = r.merchant_id AND e.dispute_id = r.dispute_id
     WHERE r.merchant_id = $1 AND r.dispute_id = ANY($2)
     GROUP BY r.dispute_id, r.submitted_at, r.submitted_by`,
    [merchantId, disputeIds]);
  return new Map(rows.map((r) => [r.dispute_id, {
    submittedAt: r.submitted_at, submittedBy: r.submitted_by, evidenceCount: Number(r.files), evidenceBytes: Number(r.bytes ?? 0),
  }]));
}

function baseQuery(deps: DisputeDeps, merchantId: string): DisputePageQuery {
  return {
    merchantKey: dimension('merchant_id').filter([merchantId], deps.dims).keys[0] ?? -1,
    from: 0, to: QUERY_TIME_MAX, disputeId: null, after: null, limit: 1,
  };
}

/** The dispute as the analytics stream tells it, or 404 (another merchant's included). */
export async function findDispute(deps: DisputeDeps, merchantId: string, disputeId: string): Promise<DisputeRow> {
  // JSON Schema counts code points, the contract UTF-16 units: the exact rule is checked here.
  if (disputeId.length > MAX_ID) throw new AppError('invalid_parameter', `a dispute id is at most ${MAX_ID} UTF-16 units`);
  const [row] = await deps.store.merchantDisputePage({ ...baseQuery(deps, merchantId), disputeId });
  if (!row) throw new AppError('not_found', 'no such dispute');
  return row;
}

export async function listDisputes(
  deps: DisputeDeps, merchantId: string, f: DisputeFilters, o: { cursor?: string; limit: number },
): Promise<{ items: Dispute[]; next_cursor: string | null }> {
  const q = { ...baseQuery(deps, merchantId), from: f.from ?? 0, to: f.to ?? QUERY_TIME_MAX };
  const wanted = new Set<DisputeStatus>(f.statuses.length ? f.statuses : DISPUTE_STATUSES);
  // Unsubmitted disputes opened after this instant still need a response: a filter without
  // under_review is a range of opening times, read by the store rather than filtered here.
  const stillOpen = deps.now() - deps.responseDays * DAY_MS + 1;
  if (!wanted.has('under_review')) {
    if (!wanted.has('expired')) q.from = Math.max(q.from, stillOpen);
    if (!wanted.has('needs_response')) q.to = Math.min(q.to, stillOpen);
  }
  const filtered = wanted.size < DISPUTE_STATUSES.length;
  const { time_zone: timeZone } = await getMerchantSettings(deps.state, merchantId);
  let after = o.cursor === undefined ? null : positionOf(o.cursor);
  const found: Array<{ row: DisputeRow; response: ResponseState }> = [];
  for (;;) {
    const batch = filtered ? FILTER_BATCH : o.limit + 1;
    const rows = await deps.store.merchantDisputePage({ ...q, after, limit: batch });
    const responses = await responsesOf(deps.state, merchantId, rows.map((r) => r.disputeId));
    for (const row of rows) {
      const response = responses.get(row.disputeId) ?? NO_RESPONSE;
      if (wanted.has(statusOf(deps, row, response))) found.push({ row, response });
      if (found.length > o.limit) break;
    }
    if (found.length > o.limit || rows.length < batch) break;
    const last = rows[rows.length - 1];
    after = { createdAt: last.createdAt, disputeId: last.disputeId };
  }
  const page = found.slice(0, o.limit);
  const last = page[page.length - 1]?.row;
  return {
    items: page.map(({ row, response }) => decode(deps, row, response, timeZone)),
    next_cursor: found.length > o.limit ? cursorOf(last) : null,
  };
}

/**
 * Every dispute of the merchant opened in [from, to), newest first, a page at a time (exports):
 * the store's keyset pages, each decoded with its responses.
 */
export async function* disputePages(
  deps: DisputeDeps, merchantId: string, range: { from: number; to: number }, pageSize: number,
): AsyncGenerator<Array<{ row: DisputeRow; dispute: Dispute }>> {
  const q = { ...baseQuery(deps, merchantId), from: range.from, to: range.to, limit: pageSize };
  const { time_zone: timeZone } = await getMerchantSettings(deps.state, merchantId);
  let after: DisputePageQuery['after'] = null;
  for (;;) {
    const rows = await deps.store.merchantDisputePage({ ...q, after });
    const responses = await responsesOf(deps.state, merchantId, rows.map((r) => r.disputeId));
    if (rows.length > 0) yield rows.map((row) => ({ row, dispute: decode(deps, row, responses.get(row.disputeId) ?? NO_RESPONSE, timeZone) }));
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.createdAt, disputeId: last.disputeId };
  }
}

export async function getDispute(deps: DisputeDeps, merchantId: string, disputeId: string): Promise<DisputeDetail> {
  const row = await findDispute(deps, merchantId, disputeId);
  const [responses, settings, evidence] = await Promise.all([
    responsesOf(deps.state, merchantId, [disputeId]),
    getMerchantSettings(deps.state, merchantId),
    listEvidence(deps.state, merchantId, disputeId),
  ]);
  return { ...decode(deps, row, responses.get(disputeId) ?? NO_RESPONSE, settings.time_zone), evidence };
}

interface EvidenceRow {
  id: string; display_name: string; content_type: string; size: number | string; sha256: string; description: string | null;
  uploaded_at: Date; uploaded_by: string; submitted_at: Date | null;
}

export async function listEvidence(q: Queryable, merchantId: string, disputeId: string): Promise<EvidenceItem[]> {
  const rows = await q.query<EvidenceRow>(
    `SELECT e.id, e.display_name, e.content_type, e.size, e.sha256, e.description, e.uploaded_at, e.uploaded_by, r.submitted_at
     FROM dispute_evidence e JOIN dispute_responses r ON r.merchant_id = e.merchant_id AND r.dispute_id = e.dispute_id
     WHERE e.merchant_id = $1 AND e.dispute_id = $2 ORDER BY e.seq`,
    [merchantId, disputeId]);
  return rows.map(evidenceItem);
}

export function evidenceItem(r: EvidenceRow): EvidenceItem {
  return {
    id: r.id, filename: r.display_name, content_type: r.content_type, size: Number(r.size), sha256: r.sha256,
    description: r.description, uploaded_at: r.uploaded_at.toISOString(), uploaded_by: r.uploaded_by,
    state: r.submitted_at === null ? 'draft' : 'submitted',
  };
}

const cursorOf = (row: DisputeRow) => encodeCursor([String(row.createdAt), row.disputeId]);

function positionOf(cursor: string): { createdAt: number; disputeId: string } {
  const [at, id] = decodeCursor(cursor, (p) => p.length === 2 && /^[0-9]{1,15}$/.test(p[0]) && p[1].length >= 1 && p[1].length <= MAX_ID);
  return { createdAt: Number(at), disputeId: id };
}
