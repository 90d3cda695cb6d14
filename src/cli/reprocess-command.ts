// `reprocess --from --to [--dry-run]`: rebuilds the rollups of a range of UTC days from the raw
// events (src/reprocess/rebuild-rollups.ts), a day at a time with a progress bar, and prints
// what changed per table (buckets, cells, before → after). It opens the store in DATA_DIR (or
// the ClickHouse database) as the writer: the server (the consumer, in a cluster) must be
// stopped, as for `ingest` without --url. Exit codes as every operations command's
// (docs/operations.md): 0 done (or, dry run, nothing differs), 1 the dry run found differences
// or the run failed, 2 bad usage.

import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openAnalytics } from '../platform.ts';
import { createProgress } from './progress.ts';
import { UsageError } from './usage-error.ts';
import { reprocessRange, type ChangedCell, type ReprocessReport } from '../reprocess/rebuild-rollups.ts';
import { retentionCutoffs, retentionPolicy } from '../retention/run-retention.ts';
import { parsePartitionOffsets, rewindKafka } from '../reprocess/rewind-kafka.ts';
import { DIM_MERCHANT, valueOf, type Dictionary } from '../ingest/indexes/dimensions.ts';
import { currencyCode } from '../reference/currencies.ts';
import type { RollupTable } from '../store/analytics-store.ts';

export const REPROCESS_USAGE = 'usage: reprocess --from ISO --to ISO [--dry-run] [--show N]   (rollups of those UTC days rebuilt from raw events)\n'
  + '       reprocess --kafka TOPIC/PARTITION=OFFSET[,…] [--dry-run]   (the consumer reads those partitions again from there)   — both with the server stopped';

const DAY_MS = 86_400_000;
const KINDS = ['', 'pending', 'succeeded', 'failed', 'refund', 'dispute', 'payout', 'payout_settled'];

function instant(name: string, v: string | undefined): number {
  const ms = v === undefined ? NaN : Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be a date or an ISO instant (${REPROCESS_USAGE})`);
  return ms;
}

export async function runReprocess(args: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({ args, options: {
    from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' }, show: { type: 'string' }, kafka: { type: 'string' },
  } });
  if (values.kafka !== undefined) return kafka(values.kafka, Boolean(values['dry-run']), out);
  const fromMs = Math.floor(instant('from', values.from) / DAY_MS) * DAY_MS;
  const toMs = Math.ceil(instant('to', values.to) / DAY_MS) * DAY_MS;
  if (toMs <= fromMs) throw new UsageError(`--to must be after --from (${REPROCESS_USAGE})`);
  const dryRun = Boolean(values['dry-run']);
  const show = Number(values.show ?? 50);
  const config = loadConfig();
  const now = Date.now();
  const cutoffs = retentionCutoffs(retentionPolicy(config), now);
  const limits = { rawCutoffMs: cutoffs.rawBeforeMs, minuteBefore: cutoffs.minuteBefore, hourBefore: cutoffs.hourBefore };
  const platform = await openAnalytics(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
  const days = (toMs - fromMs) / DAY_MS;
  const progress = createProgress(days);
  const tables: ReprocessReport['tables'] = { minute: { cellsChanged: 0, bucketsChanged: 0 }, hour: { cellsChanged: 0, bucketsChanged: 0 }, day: { cellsChanged: 0, bucketsChanged: 0 } };
  const changes: ChangedCell[] = [];
  const batches: number[] = [];
  // Cells of the backend's sums per currency (ClickHouse) that differed from the rollup rows.
  const summaries: ReprocessReport['summaries'] = {};
  let rawEvents = 0;
  try {
    // A day at a time: each day's buckets depend only on its own transactions, and a run cut
    // short has corrected whole days (rerun it: corrected days show no change).
    for (let d = 0; d < days; d++) {
      const day = fromMs + d * DAY_MS;
      const r = await reprocessRange(platform.store, platform.engine, { fromMs: day, toMs: day + DAY_MS }, limits, dryRun);
      rawEvents += r.rawEvents;
      for (const t of Object.keys(tables) as RollupTable[]) {
        tables[t].cellsChanged += r.tables[t].cellsChanged;
        tables[t].bucketsChanged += r.tables[t].bucketsChanged;
      }
      changes.push(...r.changes);
      for (const [t, n] of Object.entries(r.summaries) as Array<[RollupTable, number]>) summaries[t] = (summaries[t] ?? 0) + n;
      if (r.batchId !== null) batches.push(r.batchId);
      progress.update(rawEvents, d + 1);
    }
    progress.done(rawEvents, days);
    const dict = platform.engine.state.dict;
    for (const c of changes.slice(0, show)) out(describe(c, dict));
    if (changes.length > show) out(`… and ${changes.length - show} more changed cells (--show N)`);
    for (const [t, n] of Object.entries(summaries)) {
      if (n === 0) continue;
      const what = dryRun ? (n === 1 ? 'cell differs from' : 'cells differ from') : (n === 1 ? 'cell mended to' : 'cells mended to');
      out(`${t} sums per currency: ${n} ${what} the ${t} rows`);
    }
  } finally {
    await platform.close();
  }
  out(JSON.stringify({
    from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), dry_run: dryRun, raw_events: rawEvents,
    tables, summaries, correction_batches: batches,
  }));
  const sumsDiffer = Object.values(summaries).some((n) => n > 0);
  return dryRun && (changes.length > 0 || sumsDiffer) ? 1 : 0;
}

function describe(c: ChangedCell, dict: Dictionary): string {
  const v = (x: CellValueLike) => `${x.cnt}/${x.amountMinor}/${x.feeMinor}`;
  return [c.table, new Date(c.minute * 60_000).toISOString(), valueOf(dict, DIM_MERCHANT, c.merchantKey) ?? `#${c.merchantKey}`,
    currencyCode(c.currencyKey), KINDS[c.kind] ?? c.kind, `${v(c.before)} -> ${v(c.after)}`].join('  ');
}

type CellValueLike = ChangedCell['before'];

/** Moves Kafka partitions' stored positions back (then reset the group's offsets: docs/operations.md). */
async function kafka(spec: string, dryRun: boolean, out: (line: string) => void): Promise<number> {
  const offsets = parsePartitionOffsets(spec);
  if (offsets === null) throw new UsageError(`--kafka: TOPIC/PARTITION=OFFSET[,…] (${REPROCESS_USAGE})`);
  const config = loadConfig();
  const platform = await openAnalytics(config, createLogger('warn'));
  const progress = createProgress(1);
  try {
    const r = await rewindKafka(platform.store, platform.engine, offsets, dryRun);
    progress.done(offsets.length, 1);
    out(JSON.stringify({ dry_run: dryRun, partitions: r.partitions, batch_id: r.batchId }, null, 2));
    return 0;
  } finally {
    await platform.close();
  }
}
