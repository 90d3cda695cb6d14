// GET /api/merchant/refunds and /refunds/{id}: the merchant's refunds, newest first, a keyset
// page at a time (the cursor is opaque: the last refund's position in the merchant's list).
// A refund of another merchant is looked up within this merchant only: 404, as a missing one.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { REFUND_COLUMNS, REFUND_STATUSES, refundView, type RefundRow, type RefundView } from './refund-record.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

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
  const before = f.cursor === undefined ? null : positionOf(f.cursor);
  const rows = await q.query<RefundRow & { seq: number | bigint }>(
    `SELECT seq, ${REFUND_COLUMNS} FROM merchant_refunds
     WHERE merchant_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::text IS NULL OR txn_id = $3)
       AND ($4::bigint IS NULL OR seq < $4)
     ORDER BY seq DESC LIMIT $5`,
    [merchantId, f.statuses.length ? f.statuses : null, f.transactionId, before, f.limit + 1]);
  const page = rows.slice(0, f.limit);
  return {
    items: page.map(refundView),
    next_cursor: rows.length > f.limit ? cursorOf(page[page.length - 1].seq) : null,
  };
}

export async function getRefund(q: Queryable, merchantId: string, id: string): Promise<RefundView> {
  const [row] = await q.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM merchant_refunds WHERE id = $1 AND merchant_id = $2`, [id, merchantId]);
  if (!row) throw new AppError('not_found', 'no such refund');
  return refundView(row);
}

const cursorOf = (seq: number | bigint) => encodeCursor(['refunds', String(seq)]);
const positionOf = (cursor: string) => decodeCursor(cursor, (p) => p.length === 2 && p[0] === 'refunds' && /^[1-9][0-9]{0,17}$/.test(p[1]))[1];
