// `backfill --from --to --source FILE|postgres://…?table=wallet_transactions`: a wallet
// transactions table's rows of that range, as payment events (src/backfill), into the store in
// DATA_DIR (the server stopped, as `ingest` without --url) or to a running server (--url).
// Resumes where the last run of the same source and range stopped (--restart: from the start;
// safe, every event is then a duplicate); --rate paces it; --dry-run counts and shows a sample.
// Exit codes: 0 every row sent and accepted (or a duplicate), 1 rows skipped or events
// rejected (see the summary) or a failure, 2 bad usage.

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openAnalytics } from '../platform.ts';
import { httpSubmitter } from '../ingest/sources/ingest-file.ts';
import { runBackfill, type PageSubmitter, type PositionStore } from '../backfill/run-backfill.ts';
import { positionFile } from '../backfill/position-file.ts';
import { fileReader, postgresReader, type RowReader } from '../backfill/wallet-transaction-reader.ts';
import { createProgress } from './progress.ts';
import { UsageError } from './usage-error.ts';

export const BACKFILL_USAGE = 'usage: backfill --from ISO --to ISO --source FILE|postgres://…?table=wallet_transactions [--url URL] [--token T] '
  + '[--rate EVENTS_PER_S] [--page ROWS] [--limit ROWS] [--restart] [--dry-run]';

function instant(name: string, v: string | undefined): number {
  const ms = v === undefined ? NaN : Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name}: a date or an ISO instant is needed (${BACKFILL_USAGE})`);
  return ms;
}

function count(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: a whole number is needed (${BACKFILL_USAGE})`);
  return Number(v);
}

export async function runBackfillCommand(args: string[], authHeaders: (token?: string) => Record<string, string>, out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args, options: {
      from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' },
      rate: { type: 'string' }, page: { type: 'string' }, limit: { type: 'string' }, restart: { type: 'boolean' }, 'dry-run': { type: 'boolean' },
    },
  });
  const fromMs = instant('from', values.from);
  const toMs = instant('to', values.to);
  if (toMs <= fromMs) throw new UsageError(`--to must be after --from (${BACKFILL_USAGE})`);
  if (!values.source) throw new UsageError(BACKFILL_USAGE);
  const range = { fromMs, toMs, pageSize: Math.max(1, count('page', values.page, 1000)) };
  const reader: RowReader = /^postgres(ql)?:\/\//.test(values.source) ? postgresReader(values.source, range) : fileReader(resolve(values.source), range);
  const source = `backfill:${reader.name}:${new Date(fromMs).toISOString()}/${new Date(toMs).toISOString()}`;
  const config = loadConfig();
  const dryRun = Boolean(values['dry-run']);
  const opts = {
    reader, restart: Boolean(values.restart), ratePerSecond: count('rate', values.rate, 0),
    limitRows: values.limit === undefined ? undefined : count('limit', values.limit, 0),
  };
  let platform: Awaited<ReturnType<typeof openAnalytics>> | null = null;
  try {
    const total = await reader.count();
    const progress = createProgress(total);
    const onProgress = (rows: number, events: number) => progress.update(events, rows);
    let submit: PageSubmitter | null = null;
    let positions: PositionStore;
    if (values.url) {
      // A running server: the position is kept here, after the server acknowledged each page.
      const http = httpSubmitter(values.url, authHeaders(values.token));
      submit = (events) => http({ items: events, refused: [], position: null });
      positions = positionFile(join(config.DATA_DIR, 'backfill', `${createHash('sha256').update(source).digest('hex').slice(0, 16)}.position`));
    } else {
      // Into the store in DATA_DIR. The engine commits each page's position with its events, as
      // a file source's offset; a dry run reads it too, to show what the next run would send.
      platform = await openAnalytics(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
      const { engine, store } = platform;
      submit = (events, position) => engine.submit({ source, positions: [{ source, position }], items: events });
      positions = { load: () => store.sourcePosition(source), save: async () => {} };
    }
    const summary = await runBackfill({ ...opts, submit: dryRun ? null : submit, positions, onProgress });
    const seconds = progress.done(summary.events, summary.rows);
    out(JSON.stringify({ source, dry_run: dryRun, rows_in_range: total, ...summary, seconds: Math.round(seconds * 100) / 100 }, null, 2));
    return summary.skipped > 0 || summary.rejected > 0 ? 1 : 0;
  } finally {
    await reader.close();
    await platform?.close();
  }
}
