// Compaction while ingesting: the backend counts, per month partition, the committed batches
// that wrote rollup rows to it since its last fold, and folds (compact-rollups.ts) a partition
// that received `afterBatches` of them, or at least two once `intervalMs` went by since the
// last fold: a stream into the current month folds it every so many batches, so queries sum
// about one row per key and bucket instead of one per batch, while a bulk load spread over many
// months (whose batches rarely repeat a key) is hardly folded, but for its hour and day months
// joined into one part where they fit an insert block (compact-rollups.ts). The fold is queued on the
// writer like a commit: the commits after it wait for it (about a second per month of a table
// at the 10M-event bench's size, docs/benchmarks.md).

import type { Logger } from 'pino';
import type { PreparedBatch, RollupColumns } from '../analytics-store.ts';
import { COMPACTED_TABLES, CUSTOM_ROLLUP_TABLES, monthOfMinute, type CompactedTable, type CompactReport, type RollupMonths } from './compact-rollups.ts';
import { CLICKHOUSE_TOTALS_TABLES } from './custom-totals.ts';

export interface AutoCompactOptions {
  /** Fold a partition after this many batches wrote to it (0: never while ingesting; default 100). */
  afterBatches?: number;
  /** …or, this long after the last fold, every partition that two or more batches wrote to (default 10 min). */
  intervalMs?: number;
}

export interface AutoCompaction {
  /** Called after each committed batch, on the writer. */
  committed(batch: PreparedBatch): void;
}


/** `fold` runs the compaction of the months given, on the writer. */
export function autoCompaction(opts: AutoCompactOptions, fold: (months: RollupMonths) => Promise<CompactReport>,
  log?: Logger, now: () => number = Date.now): AutoCompaction {
  const afterBatches = opts.afterBatches ?? 100;
  const intervalMs = opts.intervalMs ?? 600_000;
  /** Batches per month partition since its last fold. */
  const counts = new Map<CompactedTable, Map<number, number>>(COMPACTED_TABLES.map((t) => [t, new Map()]));
  let last = now();
  let folding = false;

  /** The distinct months of a batch's rows (rows of a day share a month: one date per day). */
  function monthsOf(minutes: Iterable<number>): Set<number> {
    const months = new Set<number>();
    let lastDay = NaN;
    for (const minute of minutes) {
      const day = Math.floor(minute / 1440);
      if (day !== lastDay) months.add(monthOfMinute(minute));
      lastDay = day;
    }
    return months;
  }

  /** Takes the partitions due out of the counts. */
  function due(): RollupMonths {
    const late = now() - last >= intervalMs;
    const out: RollupMonths = new Map();
    for (const [table, months] of counts) {
      for (const [month, n] of months) {
        if (n < afterBatches && !(late && n >= 2)) continue;
        months.delete(month);
        if (!out.has(table)) out.set(table, new Set());
        out.get(table)!.add(month);
      }
    }
    return out;
  }

  return {
    committed(batch) {
      if (afterBatches <= 0) return;
      const count = (table: CompactedTable, written: Set<number>) => {
        const months = counts.get(table)!;
        for (const m of written) months.set(m, (months.get(m) ?? 0) + 1);
      };
      for (const [tables, rows] of [[['rollup_minute'], batch.rollups.minute], [['rollup_hour', 'rollup_hour_by_currency'], batch.rollups.hour],
        [['rollup_day', 'rollup_day_by_currency'], batch.rollups.day]] as const) {
        const months = monthsOf(rows.minute);
        for (const table of tables) count(table, months);
      }
      // A tracked batch writes the three custom tables and their totals alike (every grain's
      // partition of a month; the totals' day and hour ones).
      if (batch.custom && batch.custom.keys.length > 0) {
        const months = monthsOf(batch.custom.keys.bucket);
        for (const table of [...CUSTOM_ROLLUP_TABLES, ...CLICKHOUSE_TOTALS_TABLES]) count(table, months);
      }
      if (folding) return;
      const months = due();
      if (months.size === 0) return;
      folding = true;
      const t0 = now();
      fold(months)
        .then((report) => log?.info({ ...report, ms: now() - t0 }, 'rollups compacted'))
        .catch((err) => {
          log?.error({ err }, 'rollup compaction failed; its months are folded with the next');
          for (const [table, set] of months) for (const m of set) counts.get(table)!.set(m, afterBatches);
        })
        .finally(() => {
          folding = false;
          last = now();
        });
    },
  };
}
