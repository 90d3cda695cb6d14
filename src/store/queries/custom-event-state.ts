// What the track ingest rebuilds its in-memory state from (src/custom-events/track-state.ts):
// the id and content fingerprint of every committed custom event (dedupe), and the dimension
// tuples already aggregated per event type (each dimension's cardinality cap), read from the
// day rollups, which are kept longest.

import type { StoreBackend } from '../backend.ts';
import { committedRows } from './committed-rows.ts';
import { sqlInt } from '../sql-literal.ts';

/** Receives one committed custom event's id, content fingerprint and time (epoch ms). */
export type CustomEventKeyVisitor = (eventId: string, fingerprint: number, occurredAt: number) => void;

/**
 * Batch ids read per query: a tracked batch holds at most INGEST_MAX_BATCH_EVENTS (50,000 by
 * default) events, so a page is at most about 200,000 rows, whatever the table's size.
 */
const BATCHES_PER_PAGE = 4;

/**
 * Visits every committed custom event's key, a window of batch ids at a time, so that the whole
 * table is never one answer in memory (10M ids took a 5.5 GB peak read at once); returns how
 * many. The engine rebuilds its dedupe index with it, while it writes nothing.
 */
export async function scanCustomEventKeys(b: StoreBackend, visit: CustomEventKeyVisitor): Promise<number> {
  const [range] = await b.select(`SELECT min(batch_id) AS lo, max(batch_id) AS hi FROM custom_events WHERE ${committedRows(b.kind)}`);
  if (range === undefined || range.lo === null || range.hi === null) return 0;
  let n = 0;
  for (let from = Number(range.lo); from <= Number(range.hi); from += BATCHES_PER_PAGE) {
    const a = await b.selectColumns(`SELECT event_id, fingerprint, occurred_at FROM custom_events
      WHERE ${committedRows(b.kind)} AND batch_id >= ${sqlInt(from)} AND batch_id < ${sqlInt(from + BATCHES_PER_PAGE)}`);
    const [ids = [], fps = [], ats = []] = a.columns;
    for (let i = 0; i < a.rowCount; i++) visit(String(ids[i]), Number(fps[i]), Number(ats[i]));
    n += a.rowCount;
  }
  return n;
}

export async function customDimensionTuples(b: StoreBackend): Promise<Array<{ eventType: string; dims: string }>> {
  const rows = await b.select(`SELECT DISTINCT event_type, dims FROM custom_rollup_stats
    WHERE grain = 1440 AND measure = '' AND ${committedRows(b.kind)}`);
  return rows.map((r) => ({ eventType: String(r.event_type), dims: String(r.dims) }));
}
