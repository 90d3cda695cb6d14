// What the store's own tests check inside a ClickHouse backend, below the port: every row,
// committed or not (recovery must leave none of an uncommitted batch behind).

import type { StoreBackend } from '../../../src/store/backend.ts';

/** Rows of raw_events, committed or not, and their distinct event ids. */
export async function rawEventCounts(b: StoreBackend): Promise<{ rows: number; distinct: number }> {
  const [r] = await b.select('SELECT count() AS n, uniqExact(event_id) AS d FROM raw_events');
  return { rows: Number(r.n), distinct: Number(r.d) };
}
