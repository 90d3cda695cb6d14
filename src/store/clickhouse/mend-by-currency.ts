// Mends ClickHouse's sums per currency (by-currency.ts) where they drifted from the hour or day
// rows they sum: someone wrote to them, or to their source past the views. The truth is the
// source's committed rows, so the gap, cell by cell (bucket, currency, kind), is what
// `summaryVerify` reports; this writes it into the sums as rows of batch 0, as compaction's
// folded rows are (committed rows only, never removed by recovery). `reprocess` runs it over
// its range, after correcting the rollups themselves.
//
// Run on the writer, after any pending recovery, so that no commit or fold moves between the
// read and the write: the gap is read at the last committed batch, and rows of later batches add
// to both sides alike through the views. Not atomic across partitions: a mend cut short leaves
// some cells mended, and running it again finds the rest, since the gap is read anew each time.

import type { ChConnection } from './connection.ts';
import { BY_CURRENCY_KEYS, BY_CURRENCY_MIGRATION, type ByCurrencyTable } from './by-currency.ts';
import { LAST_COMMITTED_BATCH, migrationRecorded } from './committed.ts';
import { summaryCellsSql } from '../queries/rollup-verify.ts';

/** An insert may write to at most 100 partitions (months): the range is mended in spans of fewer. */
const SPAN_MINUTES = 730 * 1440;

/**
 * Writes the gap of `summary` over buckets in [fromMinute, toMinute); the number of cells it
 * mended, or null when the sums are not made yet (migration 9 unrecorded: nothing reads them).
 */
export async function mendByCurrency(ch: ChConnection, summary: ByCurrencyTable, fromMinute: number, toMinute: number): Promise<number | null> {
  const facts = await ch.select(`SELECT toUInt64(${LAST_COMMITTED_BATCH}) AS last, ${migrationRecorded(BY_CURRENCY_MIGRATION)} AS made`);
  if (Number(facts.columns[1][0]) === 0) return null;
  const cut = Number(facts.columns[0][0]);
  let mended = 0;
  for (let from = fromMinute; from < toMinute; from += SPAN_MINUTES) {
    const to = Math.min(toMinute, from + SPAN_MINUTES);
    // No aliases in the outer selects: ClickHouse's are global, and would shadow the inner names.
    const gap = `SELECT v_minute, v_currency, v_kind, t_e_cnt, t_s_cnt, t_e_amount, t_s_amount, t_e_fee, t_s_fee
      FROM (${summaryCellsSql(summary, cut, from, to)})
      WHERE t_e_cnt != t_s_cnt OR t_e_amount != t_s_amount OR t_e_fee != t_s_fee`;
    const cells = Number((await ch.select(`SELECT count() FROM (${gap})`)).columns[0][0]);
    if (cells === 0) continue;
    await ch.command(`INSERT INTO ${summary} (${BY_CURRENCY_KEYS}, cnt, amount_minor, fee_minor, batch_id)
      SELECT v_minute, v_currency, v_kind, toInt64(t_e_cnt - t_s_cnt), t_e_amount - t_s_amount, t_e_fee - t_s_fee, toUInt32(0)
      FROM (${gap})`);
    mended += cells;
  }
  return mended;
}
