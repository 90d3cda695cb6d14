// What the track ingest rebuilds its in-memory state from (src/custom-events/track-state.ts):
// the id and content fingerprint of every committed custom event (dedupe), and the dimension
// tuples already aggregated per event type (each dimension's cardinality cap), read from the
// day rollups, which are kept longest.

import type { StoreBackend } from '../backend.ts';
import { committedRows } from './committed-rows.ts';
import { sqlInt } from '../sql-literal.ts';

/** Receives one committed custom event's id, content fingerprint and time (epoch ms). */
export type CustomEventKeyVisitor = (eventId: string, fingerprint: number, occurredAt: number) => void;

/** Rows read per query, about: pages are whole batches, a tracked batch at most INGEST_MAX_BATCH_EVENTS. */
const PAGE_ROWS = 200_000;

/**
 * Visits every committed custom event's key, page by page, so that the whole table is never one
 * answer in memory (10M ids took a 5.5 GB peak read at once); returns how many. A page is a range
 * of batch ids holding about PAGE_ROWS rows, found from the rows per batch (payment batches share
 * the id sequence and hold none). The engine rebuilds its dedupe index with it, while it writes nothing.
 */
export async function scanCustomEventKeys(b: StoreBackend, visit: CustomEventKeyVisitor, pageRows = PAGE_ROWS): Promise<number> {
  const batches = await b.selectColumns(`SELECT batch_id, count(*) AS n FROM custom_events WHERE ${committedRows(b.kind)}
    GROUP BY batch_id ORDER BY batch_id`);
  const [batchIds = [], counts = []] = batches.columns;
  let n = 0;
  for (let i = 0; i < batches.rowCount;) {
    const first = Number(batchIds[i]);
    let rows = 0;
    while (i < batches.rowCount && (rows === 0 || rows + Number(counts[i]) <= pageRows)) rows += Number(counts[i++]);
    const last = Number(batchIds[i - 1]);
    const a = await b.selectColumns(`SELECT event_id, fingerprint, occurred_at FROM custom_events
      WHERE ${committedRows(b.kind)} AND batch_id >= ${sqlInt(first)} AND batch_id <= ${sqlInt(last)}`);
    const [ids = [], fps = [], ats = []] = a.columns;
    for (let k = 0; k < a.rowCount; k++) visit(String(ids[k]), Number(fps[k]), Number(ats[k]));
    n += a.rowCount;
  }
  return n;
}

export async function customDimensionTuples(b: StoreBackend): Promise<Array<{ eventType: string; dims: string }>> {
  const rows = await b.select(`SELECT DISTINCT event_type, dims FROM custom_rollup_stats
    WHERE grain = 1440 AND measure = '' AND ${committedRows(b.kind)}`);
  return rows.map((r) => ({ eventType: String(r.event_type), dims: String(r.dims) }));
}
