// `retention run [--dry-run] [--only analytics|state]`: the retention of every store at once, as
// the server's parts run it (src/retention/run-retention.ts for the analytics store and the
// export files, src/state-store/state-retention.ts for the state store), with the ages of the
// configuration. The dry run counts (analytics) and lists (state: the ids) exactly what a run at
// the same moment deletes. The analytics store and an embedded state store (PGlite) belong to
// the server: stop it first, or, with a PostgreSQL state store (DATABASE_URL), run
// `--only state` beside it. Exit codes: 0 done, 1 a failure, 2 bad usage.

import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { openAnalytics } from '../platform.ts';
import { openStateStore } from '../state-store/open-state-store.ts';
import { openFileStore } from '../files/open-file-store.ts';
import { retentionCutoffs, retentionPolicy, runRetention } from '../retention/run-retention.ts';
import { runStateRetention } from '../state-store/state-retention.ts';
import { previewExpiredExports, purgeExpiredExports } from '../merchant/export/export-retention.ts';
import { createProgress } from './progress.ts';
import { UsageError } from './usage-error.ts';

export const RETENTION_USAGE = 'usage: retention run [--dry-run] [--only analytics|state] [--ids]   (every store\'s retention; server stopped unless --only state on PostgreSQL)';

export async function runRetentionCommand(args: string[], out: (line: string) => void = console.log, now = Date.now()): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, only: { type: 'string' }, ids: { type: 'boolean' } } });
  if (positionals[0] !== 'run' || positionals.length > 1) throw new UsageError(RETENTION_USAGE);
  if (values.only !== undefined && values.only !== 'analytics' && values.only !== 'state') throw new UsageError(RETENTION_USAGE);
  const dryRun = Boolean(values['dry-run']);
  const config = loadConfig();
  const steps = values.only ? 1 : 2;
  const progress = createProgress(steps);
  const summary: Record<string, unknown> = { dry_run: dryRun, at: new Date(now).toISOString() };
  let done = 0;
  if (values.only !== 'state') {
    summary.analytics = await analyticsRetention(config, now, dryRun);
    progress.update(++done, done, true);
  }
  if (values.only !== 'analytics') {
    summary.state = await stateRetention(config, now, dryRun, Boolean(values.ids));
    progress.update(++done, done, true);
  }
  progress.done(done, steps);
  out(JSON.stringify(summary, null, 2));
  return 0;
}

async function analyticsRetention(config: Config, now: number, dryRun: boolean) {
  const policy = retentionPolicy(config);
  const cutoffs = retentionCutoffs(policy, now);
  const platform = await openAnalytics(config, createLogger('warn'), () => now);
  try {
    // Counted under the writer this process holds: nothing commits between the count and the deletes.
    const rows = await platform.store.retentionPreview(cutoffs);
    const report = dryRun ? null : await runRetention(platform.store, platform.engine, policy, now);
    return {
      raw_before: new Date(cutoffs.rawBeforeMs).toISOString(),
      minute_before: new Date(cutoffs.minuteBefore * 60_000).toISOString(),
      hour_before: new Date(cutoffs.hourBefore * 60_000).toISOString(),
      raw_events: rows.rawEvents, transaction_rows: rows.transactionRows, minute_rows: rows.minuteRows, hour_rows: rows.hourRows,
      ...(rows.custom && cutoffs.custom ? {
        custom_raw_before: new Date(cutoffs.custom.rawBeforeMs).toISOString(),
        custom_raw_events: rows.custom.rawEvents, custom_rollup_rows: rows.custom.rollupRows,
      } : {}),
      ...(report ? { evicted_events: report.evictedEvents, evicted_txns: report.evictedTxns } : {}),
    };
  } finally {
    await platform.close();
  }
}

async function stateRetention(config: Config, now: number, dryRun: boolean, withIds: boolean) {
  const state = await openStateStore({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR });
  try {
    const policy = { alertDays: config.ALERT_RETENTION_DAYS, auditDays: config.AUDIT_RETENTION_DAYS, outboxDays: config.OUTBOX_RETENTION_DAYS };
    const items = await runStateRetention(state, policy, now, dryRun);
    const exportDeps = { state, retentionHours: config.EXPORT_RETENTION_HOURS, now: () => now };
    const exports = dryRun ? await previewExpiredExports(exportDeps) : await purgeExpiredExports({ ...exportDeps, files: () => openFileStore(config) });
    return {
      ...Object.fromEntries(items.map((i) => [i.name, {
        before: i.cutoff, rows: i.ids.length, ...(Object.keys(i.dependents).length ? { with: i.dependents } : {}), ...(withIds ? { ids: i.ids } : {}),
      }])),
      exports: { expired: exports.expired, files_removed: exports.removed },
    };
  } finally {
    await state.close();
  }
}
