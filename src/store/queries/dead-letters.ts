// Dead letters as stored: a page in id order, by code, after an id, pending (not replayed) only,
// or by ids. A replay is recorded by the batch that replayed it: DuckDB updates the row in that
// batch's transaction; ClickHouse, which has no cheap UPDATE, adds a dead_letter_replays row.

import type { StoreBackend, Row } from '../backend.ts';
import type { DeadLetter } from '../analytics-store.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface DeadLetterQuery {
  code?: string;
  afterId?: number;
  ids?: number[];
  /** Only those not replayed yet. */
  pending?: boolean;
  limit: number;
}

/** A dead letter as stored, and what its latest replay gave. */
export interface DeadLetterRow extends DeadLetter {
  replayedAt: number | null;
  replayResult: string | null;
}

const SQL = {
  duckdb: (q: DeadLetterQuery) => `SELECT id, received_at, source, batch_index, code, message, event_id, payload,
      payload_truncated, replayed_at, replay_result
    FROM dead_letters WHERE ${conditions('duckdb', q)} ORDER BY id LIMIT ${sqlInt(q.limit)}`,
  // The latest replay of each letter, joined on its id (one row per id on the right: argMax).
  clickhouse: (q: DeadLetterQuery) => `SELECT id, received_at, source, batch_index, code, message, event_id, payload,
      payload_truncated, last_replayed_at AS replayed_at, last_result AS replay_result
    FROM (SELECT * FROM dead_letters WHERE ${committedRows('clickhouse')}) AS d
    LEFT JOIN ( -- the replay of the latest batch wins, as DuckDB's last UPDATE does
      SELECT id, argMax(replayed_at, batch_id) AS last_replayed_at, argMax(replay_result, batch_id) AS last_result
      FROM dead_letter_replays WHERE ${committedRows('clickhouse')} GROUP BY id
    ) AS r USING (id)
    WHERE ${conditions('clickhouse', q)} ORDER BY id LIMIT ${sqlInt(q.limit)}
    SETTINGS join_use_nulls = 1`,
};

function conditions(kind: 'duckdb' | 'clickhouse', q: DeadLetterQuery): string {
  const where = ['1 = 1'];
  if (q.code !== undefined) where.push(`code = ${sqlString(q.code, kind)}`);
  if (q.afterId !== undefined) where.push(`id > ${sqlInt(Math.trunc(q.afterId))}`);
  if (q.ids !== undefined) where.push(q.ids.length ? `id IN (${q.ids.map((i) => sqlInt(Math.trunc(i))).join(', ')})` : '1 = 0');
  if (q.pending) where.push(kind === 'duckdb' ? 'replayed_at IS NULL' : 'last_replayed_at IS NULL');
  return where.join(' AND ');
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function rowOf(r: Row): DeadLetterRow {
  return {
    id: Number(r.id),
    receivedAt: Number(r.received_at),
    source: String(r.source),
    batchIndex: Number(r.batch_index),
    code: String(r.code),
    message: String(r.message),
    eventId: str(r.event_id),
    payload: String(r.payload),
    payloadTruncated: Boolean(Number(r.payload_truncated)),
    replayedAt: num(r.replayed_at),
    replayResult: str(r.replay_result),
  };
}

export async function deadLetters(b: StoreBackend, q: DeadLetterQuery): Promise<DeadLetterRow[]> {
  return (await b.select(SQL[b.kind](q))).map(rowOf);
}
