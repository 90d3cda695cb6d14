// GET /api/merchant/alerts: the merchant's own alerts from the alert store (table alerts), newest
// first, a keyset page by id. Its own are the alerts of its own rules (ops rules about it are ops
// business, as under /api/analytics/alerts) and the alerts the portal raises for it without a
// rule (kind dispute_due_soon: dispute-deadlines.ts). Nothing of another merchant, ever.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';

export const ALERT_STATES = ['pending', 'firing', 'resolved', 'nodata', 'error'] as const;
export const MAX_ALERT_PAGE = 200;

export interface MerchantAlert {
  id: number;
  /** rule: raised by one of its alert rules; dispute_due_soon: a dispute's response is due within 24 hours. */
  kind: string;
  rule_id: number | null;
  rule_name: string | null;
  state: string;
  severity: string;
  detail: string | null;
  labels: Record<string, unknown>;
  observed: number | null;
  started_at: string;
  firing_since: string | null;
  resolved_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
}

interface AlertRow {
  id: number; kind: string; rule_id: number | null; rule_name: string | null; state: string; severity: string; detail: string | null;
  group_labels: Record<string, unknown>; observed: number | null; started_at: Date; firing_since: Date | null; resolved_at: Date | null;
  acknowledged_by: string | null; acknowledged_at: Date | null;
}

export async function listMerchantAlerts(
  q: Queryable, merchantId: string, o: { state: string | null; cursor: string | undefined; limit: number },
): Promise<{ items: MerchantAlert[]; next_cursor: string | null }> {
  const before = o.cursor === undefined ? null : decodeCursor(o.cursor);
  const rows = await q.query<AlertRow>(
    `SELECT a.id, a.kind, a.rule_id, r.name AS rule_name, a.state, a.severity, a.detail, a.group_labels, a.observed, a.started_at,
       a.firing_since, a.resolved_at, a.acknowledged_by, a.acknowledged_at
     FROM alerts a LEFT JOIN alert_rules r ON r.id = a.rule_id
     WHERE ((a.kind = 'rule' AND r.merchant_id = $1) OR (a.kind <> 'rule' AND a.merchant_id = $1))
       AND ($2::text IS NULL OR a.state = $2) AND ($3::int IS NULL OR a.id < $3)
     ORDER BY a.id DESC LIMIT $4`,
    [merchantId, o.state, before, o.limit + 1]);
  const page = rows.slice(0, o.limit);
  return {
    items: page.map((r) => ({
      id: Number(r.id), kind: r.kind, rule_id: r.rule_id === null ? null : Number(r.rule_id), rule_name: r.rule_name, state: r.state,
      severity: r.severity, detail: r.detail, labels: r.group_labels, observed: r.observed, started_at: r.started_at.toISOString(),
      firing_since: r.firing_since?.toISOString() ?? null, resolved_at: r.resolved_at?.toISOString() ?? null,
      acknowledged_by: r.acknowledged_by, acknowledged_at: r.acknowledged_at?.toISOString() ?? null,
    })),
    next_cursor: rows.length > o.limit ? String(page[page.length - 1].id) : null,
  };
}

function decodeCursor(cursor: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(cursor)) throw new AppError('invalid_parameter', 'cursor is not one this API returned');
  return Number(cursor);
}
