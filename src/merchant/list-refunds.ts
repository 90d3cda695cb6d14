// GET /api/merchant/refunds and /refunds/{id}: the merchant's refunds, newest first, a keyset
// page at a time (the cursor is opaque: the last refund's position in the merchant's list).
// A refund of another merchant is looked up within this merchant only: 404, as a missing one.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { REFUND_COLUMNS, REFUND_STATUSES, refundView, type RefundRow, type RefundView } from './refund-record.ts';

export const MAX_REFUND_PAGE = 200;

export interface RefundFilters {
  statuses: string[];
  transactionId: string | null;
  cursor: string | undefined;
  limit: number;
}

export async function listRefunds(q: Queryable, merchantId: string, f: RefundFilters): Promise<{ items: RefundView[]; next_cursor: string | null }> {
  for (const s of f.statuses) {
    if (!(REFUND_STATUSES as readonly string[]).includes(s)) {
      throw new AppError('invalid_parameter', `unknown status ${JSON.stringify(s)}; expected ${REFUND_STATUSES.join(', ')}`);
    }
  }
  const before = f.cursor === undefined ? null : decodeCursor(f.cursor);
  const rows = await q.query<RefundRow & { seq: number | bigint }>(
    `SELECT seq, ${REFUND_COLUMNS} FROM merchant_refunds
     WHERE merchant_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::text IS NULL OR txn_id = $3)
       AND ($4::bigint IS NULL OR seq < $4)
     ORDER BY seq DESC LIMIT $5`,
    [merchantId, f.statuses.length ? f.statuses : null, f.transactionId, before, f.limit + 1]);
  const page = rows.slice(0, f.limit);
  return {
    items: page.map(refundView),
    next_cursor: rows.length > f.limit ? encodeCursor(page[page.length - 1].seq) : null,
  };
}

export async function getRefund(q: Queryable, merchantId: string, id: string): Promise<RefundView> {
  const [row] = await q.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM merchant_refunds WHERE id = $1 AND merchant_id = $2`, [id, merchantId]);
  if (!row) throw new AppError('not_found', 'no such refund');
  return refundView(row);
}

const encodeCursor = (seq: number | bigint) => Buffer.from(JSON.stringify(['refunds', String(seq)])).toString('base64url');

function decodeCursor(cursor: string): string {
  let v: unknown = null;
  try {
    if (/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch { v = null; }
  if (Array.isArray(v) && v.length === 2 && v[0] === 'refunds' && typeof v[1] === 'string' && /^[1-9][0-9]{0,17}$/.test(v[1])) return v[1];
  throw new AppError('invalid_parameter', 'cursor is not one this API returned');
}
