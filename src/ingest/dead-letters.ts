// The dead-letter store's read side and replay: rejected events wait here with their reason and
// payload until someone fixes the cause (an FX-independent bug, a producer fix, a wider
// retention) and replays them through the normal pipeline.

import { AppError } from '../errors.ts';
import { sqlString } from '../store/sql-literal.ts';
import { REJECTION_CODES } from '../events/contract.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Engine } from './engine.ts';
import type { ItemResult } from './prepare-batch.ts';

export interface DeadLetterView {
  id: number;
  received_at: string;
  source: string;
  index: number;
  code: string;
  message: string;
  event_id: string | null;
  payload: string;
  payload_truncated: boolean;
  replayed_at: string | null;
  replay_result: string | null;
}

export interface DeadLetterFilter {
  code?: string;
  afterId?: number;
  limit?: number;
  pending?: boolean;
}

function whereOf(f: DeadLetterFilter): string {
  const where: string[] = [];
  if (f.code !== undefined) {
    if (!(REJECTION_CODES as readonly string[]).includes(f.code)) throw new AppError('invalid_parameter', `unknown rejection code ${JSON.stringify(f.code)}`);
    where.push(`code = ${sqlString(f.code)}`);
  }
  if (f.afterId !== undefined) where.push(`id > ${Math.trunc(f.afterId)}`);
  if (f.pending) where.push('replayed_at IS NULL');
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

export async function listDeadLetters(store: AnalyticsStore, f: DeadLetterFilter): Promise<DeadLetterView[]> {
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
  const rows = await store.query(`SELECT * FROM dead_letters ${whereOf(f)} ORDER BY id LIMIT ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    received_at: new Date(Number(r.received_at)).toISOString(),
    source: String(r.source),
    index: Number(r.batch_index),
    code: String(r.code),
    message: String(r.message),
    event_id: r.event_id === null ? null : String(r.event_id),
    payload: String(r.payload),
    payload_truncated: Boolean(r.payload_truncated),
    replayed_at: r.replayed_at === null ? null : new Date(Number(r.replayed_at)).toISOString(),
    replay_result: r.replay_result === null ? null : String(r.replay_result),
  }));
}

/** Replays pending dead letters (by ids, or all matching a code) through the engine. */
export async function replayDeadLetters(
  store: AnalyticsStore, engine: Engine, sel: { ids?: number[]; code?: string; limit?: number },
): Promise<{ replayed: number; results: Array<{ id: number } & ItemResult> }> {
  let where = whereOf({ code: sel.code, pending: true });
  if (sel.ids) {
    if (sel.ids.length === 0) return { replayed: 0, results: [] };
    const ids = sel.ids.map((id) => Math.trunc(Number(id))).filter((id) => Number.isFinite(id));
    where += `${where ? ' AND' : 'WHERE'} id IN (${ids.join(', ')})`;
  }
  const limit = Math.min(Math.max(sel.limit ?? 10_000, 1), 50_000);
  const rows = await store.query(`SELECT id, payload, payload_truncated FROM dead_letters ${where} ORDER BY id LIMIT ${limit}`);
  if (rows.length === 0) return { replayed: 0, results: [] };
  const ids = rows.map((r) => Number(r.id));
  const results = await engine.submit({
    source: 'replay', position: null, items: rows.map((r) => String(r.payload)), replayIds: ids,
  });
  return { replayed: rows.length, results: results.map((r, i) => ({ id: ids[i], ...r })) };
}
