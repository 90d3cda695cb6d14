// The operations commands of the CLI (docs/operations.md): backup, restore, verify, doctor,
// cache clear. Each prints a summary at the end (or JSON with --json) and exits with a code
// scripts can trust: 0 all is well, 1 the command ran and found or met a problem (a difference,
// a doctor finding, a refused or damaged restore, a failed backup), 2 it could not run (usage,
// unreachable store). Progress goes to stderr; the summary to stdout.
// With --url the running server does the work (backup, verify, cache clear); without it the
// command opens the stores of the configuration itself (the server must be stopped for DuckDB).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { openAnalyticsStore } from '../store/open-analytics-store.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import { openStateStore } from '../state-store/open-state-store.ts';
import { planBackup, writeBackup, type Manifest } from '../ops/backup-embedded.ts';
import { planRestore, restoreBackup, RestoreRefused } from '../ops/restore-embedded.ts';
import { verifyRollups, type VerifyReport } from '../ops/verify-rollups.ts';
import { runDoctor, formatDoctor } from '../ops/doctor.ts';
import { AppError } from '../errors.ts';
import { createStepProgress } from './progress.ts';
import { retentionPolicy } from '../retention/run-retention.ts';

export const OPS_USAGE: Record<string, string> = {
  backup: 'usage: backup DEST [--dry-run] [--json]   (server stopped)  |  backup NAME --url URL [--token T] [--dry-run] [--json]   (running server: BACKUP_DIR/NAME)',
  restore: 'usage: restore SRC [--data-dir DIR] [--dry-run] [--json]   (into a new or empty DATA_DIR)',
  verify: 'usage: verify --from TIME --to TIME [--table minute|hour|day] [--url URL] [--token T] [--json]',
  doctor: 'usage: doctor [--url URL] [--token T] [--json]',
  cache: 'usage: cache clear --url URL [--token T] [--json]',
};

type Headers = (token: string | undefined) => Record<string, string>;

class Usage extends Error {}

export async function runOps(command: string, args: string[], authHeaders: Headers): Promise<number> {
  try {
    switch (command) {
      case 'backup': return await backup(args, authHeaders);
      case 'restore': return await restore(args);
      case 'verify': return await verify(args, authHeaders);
      case 'doctor': return await doctor(args, authHeaders);
      case 'cache': return await cache(args, authHeaders);
      default: throw new Usage(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof Usage) {
      console.error(`${err.message}\n${OPS_USAGE[command] ?? ''}`);
      return 2;
    }
    if (err instanceof RestoreRefused || (err instanceof AppError && err.code.startsWith('backup_'))) {
      console.error(`${command}: ${err.message}`);
      return 1;
    }
    console.error(`${command} could not run: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

const out = (json: boolean | undefined, value: unknown, text: string) => console.log(json ? JSON.stringify(value, null, 2) : text);

async function call(url: string, path: string, init: RequestInit, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, url), { ...init, headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const text = await res.text();
  let body: Record<string, unknown>;
  try { body = JSON.parse(text) as Record<string, unknown>; } catch { body = { detail: text }; }
  return { status: res.status, body };
}

/** A refusal of the server, as one line; 1 for a coded refusal (4xx, 409), 2 when it could not run. */
function refused(command: string, r: { status: number; body: Record<string, unknown> }): number {
  console.error(`${command}: the server answered ${r.status} ${String(r.body.code ?? '')}: ${String(r.body.detail ?? r.body.title ?? '')}`);
  return r.status === 409 ? 1 : 2;
}

async function openStoreFor(config: Config, command: string): Promise<AnalyticsStore> {
  try {
    return await openAnalyticsStore(config, createLogger('warn'), { reader: config.ANALYTICS_STORE === 'clickhouse' });
  } catch (err) {
    if (config.ANALYTICS_STORE === 'duckdb' && /lock/i.test((err as Error).message)) {
      throw new Error(`the store in ${config.DATA_DIR} is in use by a running server: run ${command} with --url http://localhost:${config.PORT} instead`);
    }
    throw err;
  }
}

function describeManifest(m: Manifest, path: string): string {
  const raw = m.analytics.rows.raw_events ?? 0;
  return [
    `backup written and checked: ${path}`,
    `  analytics: ${raw.toLocaleString('en-US')} raw events, last batch ${m.analytics.last_batch_id}, ${m.analytics.source_positions.length} source position(s), ${m.analytics.bytes.toLocaleString('en-US')} bytes`,
    `  state:     ${m.state ? `PGlite, schema version ${m.state.schema_version}, ${m.state.bytes.toLocaleString('en-US')} bytes` : 'not included (PostgreSQL: pg_dump, docs/operations.md)'}`,
    `  files:     ${m.files.length}`,
    `  resend everything after batch ${m.analytics.last_batch_id} (or everything: dedupe keeps each event once) after a restore`,
  ].join('\n');
}

async function backup(args: string[], authHeaders: Headers): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    url: { type: 'string' }, token: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' },
  } });
  const dest = positionals[0];
  if (!dest || positionals.length > 1) throw new Usage('backup: one destination');
  const dryRun = Boolean(values['dry-run']);
  if (values.url) {
    if (/[/\\]/.test(dest)) throw new Usage('backup --url: a NAME, written by the server under its BACKUP_DIR');
    const progress = createStepProgress(1);
    progress.step(dryRun ? 'checking (dry run)' : 'server writing the backup');
    const r = await call(values.url, '/api/ops/backup', { method: 'POST', body: JSON.stringify({ name: dest, dry_run: dryRun }) }, authHeaders(values.token));
    progress.finish();
    if (r.status !== 200) return refused('backup', r);
    if (dryRun) out(values.json, r.body, `dry run: would write ${String(r.body.path)}: ${JSON.stringify(r.body.plan)}`);
    else out(values.json, r.body, describeManifest(r.body.manifest as Manifest, String(r.body.path)));
    return 0;
  }
  const config = loadConfig();
  if (config.ANALYTICS_STORE === 'clickhouse') throw new AppError('backup_unsupported', 'the analytics store is on ClickHouse: back it up with ClickHouse\'s tools (docs/operations.md#backup-and-restore)');
  const path = resolve(dest);
  const store = await openStoreFor(config, 'backup');
  const state = config.DATABASE_URL ? null : await openStateStore({ databaseUrl: '', dataDir: config.DATA_DIR }).catch(async (err) => {
    await store.close();
    throw err;
  });
  try {
    const sources = { store, state, dataDir: config.DATA_DIR };
    if (dryRun) {
      const plan = await planBackup(sources, path);
      out(values.json, { dry_run: true, plan }, `dry run: would write ${path}: ${JSON.stringify(plan)}`);
      return 0;
    }
    const progress = createStepProgress(4);
    const m = await writeBackup(sources, path, { now: Date.now(), step: (s) => progress.step(s) });
    progress.finish();
    out(values.json, { path, manifest: m }, describeManifest(m, path));
    return 0;
  } finally {
    await state?.close();
    await store.close();
  }
}

async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: {
    'data-dir': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' },
  } });
  const src = positionals[0];
  if (!src || positionals.length > 1) throw new Usage('restore: one backup directory');
  const dataDir = resolve(values['data-dir'] ?? loadConfig().DATA_DIR);
  if (values['dry-run']) {
    const m = await planRestore(resolve(src), dataDir);
    out(values.json, { dry_run: true, data_dir: dataDir, manifest: m },
      `dry run: the backup of ${m.created_at} is whole (checksums match) and ${dataDir} is free; nothing written`);
    return 0;
  }
  const progress = createStepProgress(5);
  const m = await restoreBackup(resolve(src), dataDir, { step: (s) => progress.step(s) });
  progress.finish();
  out(values.json, { data_dir: dataDir, manifest: m }, [
    `restored into ${dataDir} and checked: the backup of ${m.created_at}, last batch ${m.analytics.last_batch_id}`,
    '  start the server on it, then resend what came after the backup: from these source positions, or everything (dedupe keeps each event once):',
    ...m.analytics.source_positions.map((p) => `    ${p.source} at ${p.position}`),
  ].join('\n'));
  return 0;
}

function describeVerify(r: VerifyReport): string {
  const name = (t: { table: string; against: string }) => (t.against === 'rollup' ? `${t.table} sums per currency` : t.table);
  const lines = r.tables.map((t) => (t.from === null
    ? `  ${name(t).padEnd(6)} not checked: the range is past this table's or the raw events' retention`
    : `  ${name(t).padEnd(6)} ${t.from} → ${t.to}: ${t.cells} cells, ${t.differences} differ`));
  for (const d of r.differences.slice(0, 50)) {
    lines.push(d.against === 'rollup'
      ? `  DIFF ${name(d)} ${d.bucket} currency=${d.currency} kind=${d.kind}: the ${d.table} rows give ${d.expected}, the sums hold ${d.stored} (count/amount/fee)`
      : `  DIFF ${d.table} ${d.bucket} merchant=${d.merchant} country=${d.country} city=${d.city} currency=${d.currency} method=${d.method} provider=${d.provider} kind=${d.kind}: raw events give ${d.expected}, the table holds ${d.stored} (count/amount/fee)`);
  }
  if (r.differences.length > 50) lines.push(`  … and ${r.differences.length - 50} more (--json lists them all)`);
  const summaries = r.differences.some((d) => d.against === 'rollup');
  lines.push(r.ok ? 'verify: the rollups agree with the raw events'
    : summaries ? 'verify: DIFFERENCES FOUND — reprocess the range (it mends the rollups and the sums per currency; older days: docs/operations.md, "Verifying rollups against raw events"), then verify again'
      : 'verify: DIFFERENCES FOUND — rebuild the range (reprocess) and verify again');
  return lines.join('\n');
}

async function verify(args: string[], authHeaders: Headers): Promise<number> {
  const { values } = parseArgs({ args, options: {
    from: { type: 'string' }, to: { type: 'string' }, table: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' },
  } });
  const fromMs = Date.parse(values.from ?? '');
  const toMs = Date.parse(values.to ?? '');
  if (!(fromMs < toMs)) throw new Usage('verify: --from and --to are times (ISO 8601), --from before --to');
  const table = values.table as 'minute' | 'hour' | 'day' | undefined;
  if (table !== undefined && !['minute', 'hour', 'day'].includes(table)) throw new Usage('verify: --table is minute, hour or day');
  let report: VerifyReport;
  if (values.url) {
    const q = new URLSearchParams({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...(table ? { table } : {}) });
    const r = await call(values.url, `/api/ops/verify?${q}`, { method: 'GET' }, authHeaders(values.token));
    if (r.status !== 200) return refused('verify', { ...r, status: 500 });
    report = r.body as unknown as VerifyReport;
  } else {
    const config = loadConfig();
    const store = await openStoreFor(config, 'verify');
    try {
      const tables = table ? [table] : undefined;
      const progress = createStepProgress(tables?.length ?? 3);
      report = await verifyRollups(store, {
        fromMs, toMs, now: Date.now(), tables,
        policy: retentionPolicy(config),
        onTable: (_done, _total, t) => progress.step(`${t} checked`),
      });
      progress.finish();
    } finally {
      await store.close();
    }
  }
  out(values.json, report, describeVerify(report));
  return report.ok ? 0 : 1;
}

async function cache(args: string[], authHeaders: Headers): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals[0] !== 'clear' || positionals.length > 1) throw new Usage('cache: the subcommand is clear');
  // The cache lives in the server's memory: nothing to clear without one.
  if (!values.url) throw new Usage('cache clear: --url of the running server (its cache lives in its memory; every replica has its own)');
  const r = await call(values.url, '/api/ops/cache/clear', { method: 'POST' }, authHeaders(values.token));
  if (r.status !== 200) return refused('cache clear', { ...r, status: 500 });
  out(values.json, r.body, `cache cleared: ${String(r.body.cleared_entries)} answers (${String(r.body.cleared_bytes)} bytes, estimated) dropped`);
  return 0;
}

async function doctor(args: string[], authHeaders: Headers): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } } });
  const report = await runDoctor(null, { url: values.url, headers: authHeaders(values.token), now: Date.now() });
  out(values.json, report, formatDoctor(report));
  return report.ok ? 0 : 1;
}
