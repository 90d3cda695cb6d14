// Mends ClickHouse's sums per currency (by-currency.ts) where they drifted from the hour or day
// rows they sum: someone wrote to them, or to their source past the views. The truth is the
// source's committed rows, so the gap, cell by cell (bucket, currency, kind), is what
// `summaryVerify` reports; this writes it into the sums as rows of batch 0, visible to every
// reader at once and never removed by recovery (as compaction's folded rows). `reprocess` runs
// it over its range, after correcting the rollups themselves.
//
// Run on the writer, after any pending recovery, so that no commit or fold moves between the
// read and the write: the gap is read at the last committed batch, and rows of later batches add
// to both sides alike through the views. The insert carries the commit prefix in its query id,
// and a mend first waits until no such write runs: one whose client gave up (a timeout, a killed
// process) cannot land after the gap is read again. Not atomic across partitions: a mend cut
// short leaves some cells mended, and running it again finds the rest.
//
// TRICKY: a mend sets values, not which cells exist. A cell the sums hold and the rollup rows
// do not is mended to a row of zeros, which a network-wide answer grouped by currency still
// lists (as it lists a key whose rollup rows net to zero); only the whole rebuild
// (docs/operations.md) removes it.

import { newQueryId, type ChConnection } from './connection.ts';
import { BY_CURRENCY_CUT, BY_CURRENCY_KEYS, type ByCurrencyTable } from './by-currency.ts';
import { commitQueryPrefix } from './commit-batch.ts';
import { waitForCommitWrites } from './recover.ts';
import { summaryCellsSql } from '../queries/rollup-verify.ts';

/** An insert may write to at most 100 partitions (months): the range is mended in spans of fewer. */
const SPAN_MINUTES = 730 * 1440;

/**
 * Writes the gap of `summary` over buckets in [fromMinute, toMinute); the number of cells it
 * mended, or null when the sums are not made yet (migration 9 unrecorded: nothing reads them).
 */
export async function mendByCurrency(ch: ChConnection, summary: ByCurrencyTable, fromMinute: number, toMinute: number): Promise<number | null> {
  await waitForCommitWrites(ch);
  const cut = await ch.select(BY_CURRENCY_CUT);
  const column = (name: string) => Number(cut.columns[cut.names.indexOf(name)][0]);
  if (column('made') === 0) return null;
  const last = column('last');
  let mended = 0;
  for (let from = fromMinute; from < toMinute; from += SPAN_MINUTES) {
    const to = Math.min(toMinute, from + SPAN_MINUTES);
    // No aliases in the outer selects: ClickHouse's are global, and would shadow the inner names.
    const gap = `SELECT v_minute, v_currency, v_kind, t_e_cnt, t_s_cnt, t_e_amount, t_s_amount, t_e_fee, t_s_fee
      FROM (${summaryCellsSql(summary, last, from, to)})
      WHERE t_e_cnt != t_s_cnt OR t_e_amount != t_s_amount OR t_e_fee != t_s_fee`;
    const cells = Number((await ch.select(`SELECT count() FROM (${gap})`)).columns[0][0]);
    if (cells === 0) continue;
    await ch.command(`INSERT INTO ${summary} (${BY_CURRENCY_KEYS}, cnt, amount_minor, fee_minor, batch_id)
      SELECT v_minute, v_currency, v_kind, toInt64(t_e_cnt - t_s_cnt), t_e_amount - t_s_amount, t_e_fee - t_s_fee, toUInt32(0)
      FROM (${gap})`, newQueryId(`${commitQueryPrefix(ch.database)}mend-${summary}`));
    mended += cells;
  }
  return mended;
}
