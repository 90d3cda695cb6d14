// Compaction while ingesting: the backend notes the month partitions each committed batch wrote
// rollup rows to, and once enough batches or enough time went by, folds those partitions
// (compact-rollups.ts), so that queries sum about one row per key and bucket instead of one per
// batch. The fold is queued on the writer like a commit: the commits after it wait for it (a
// month of a table takes about a second at the 10M-event bench's size, docs/benchmarks.md).

import type { Logger } from 'pino';
import type { PreparedBatch, RollupColumns } from '../analytics-store.ts';
import { monthOfMinute, ROLLUP_TABLES, type CompactReport, type RollupMonths } from './compact-rollups.ts';

export interface AutoCompactOptions {
  /** Fold after this many committed batches (0: never while ingesting; default 200). */
  afterBatches?: number;
  /** …or at the first commit this long after the last fold (default 5 min). */
  intervalMs?: number;
}

export interface AutoCompaction {
  /** Called after each committed batch, on the writer. */
  committed(batch: PreparedBatch): void;
}

/** `fold` runs the compaction of the months given, on the writer. */
export function autoCompaction(opts: AutoCompactOptions, fold: (months: RollupMonths) => Promise<CompactReport>,
  log?: Logger, now: () => number = Date.now): AutoCompaction {
  const afterBatches = opts.afterBatches ?? 200;
  const intervalMs = opts.intervalMs ?? 300_000;
  let touched: RollupMonths = new Map();
  let batches = 0;
  let last = now();
  let folding = false;

  function add(table: (typeof ROLLUP_TABLES)[number], month: number): void {
    let months = touched.get(table);
    if (!months) touched.set(table, (months = new Set()));
    months.add(month);
  }

  function note(table: (typeof ROLLUP_TABLES)[number], rows: RollupColumns): void {
    let lastDay = NaN;
    for (const minute of rows.minute) {
      const day = Math.floor(minute / 1440);
      if (day !== lastDay) add(table, monthOfMinute(minute));
      lastDay = day;
    }
  }

  return {
    committed(batch) {
      if (afterBatches <= 0) return;
      note('rollup_minute', batch.rollups.minute);
      note('rollup_hour', batch.rollups.hour);
      note('rollup_day', batch.rollups.day);
      batches++;
      if (folding || (batches < afterBatches && now() - last < intervalMs)) return;
      const months = touched;
      touched = new Map();
      batches = 0;
      folding = true;
      const t0 = now();
      fold(months)
        .then((report) => log?.info({ ...report, ms: now() - t0 }, 'rollups compacted'))
        .catch((err) => {
          log?.error({ err }, 'rollup compaction failed; its months are folded with the next');
          for (const [table, set] of months) for (const m of set) add(table, m);
        })
        .finally(() => {
          folding = false;
          last = now();
        });
    },
  };
}
