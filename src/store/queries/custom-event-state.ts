// What the track ingest rebuilds its in-memory state from (src/custom-events/track-state.ts):
// the id and content fingerprint of every committed custom event (dedupe), and the dimension
// tuples already aggregated per event type (each dimension's cardinality cap), read from the
// day rollups, which are kept longest.

import type { StoreBackend } from '../backend.ts';
import { committedRows } from './committed-rows.ts';

export interface CustomEventKey { eventId: string; fingerprint: number; occurredAt: number }

export async function customEventKeys(b: StoreBackend): Promise<CustomEventKey[]> {
  const a = await b.selectColumns(`SELECT event_id, fingerprint, occurred_at FROM custom_events WHERE ${committedRows(b.kind)}`);
  const [ids = [], fps = [], ats = []] = a.columns;
  const out = new Array<CustomEventKey>(a.rowCount);
  for (let i = 0; i < a.rowCount; i++) out[i] = { eventId: String(ids[i]), fingerprint: Number(fps[i]), occurredAt: Number(ats[i]) };
  return out;
}

export async function customDimensionTuples(b: StoreBackend): Promise<Array<{ eventType: string; dims: string }>> {
  const rows = await b.select(`SELECT DISTINCT event_type, dims FROM custom_rollup_stats
    WHERE grain = 1440 AND measure = '' AND ${committedRows(b.kind)}`);
  return rows.map((r) => ({ eventType: String(r.event_type), dims: String(r.dims) }));
}
