// Retention: raw events before the raw cutoff (a transaction's payment events together, once
// the latest of them is past it, so a rebuild from raw always sees a transaction whole),
// minute and hour rollups before theirs. Day rollups stay forever. A transaction's rows in
// merchant_transactions go with its raw events: every row whose update time is before the raw
// cutoff (a removal row is never older than the row it hides at its key, so none resurfaces).
//
// DuckDB deletes rows in one transaction. ClickHouse drops the rollups' whole months
// (partitions) and deletes the rest of the cut month with a mutation; raw events only by the
// mutation, since a month before the cutoff may hold the first events of a transaction that
// continues after it. The backend waits for the mutations; rerunning it is harmless.

import type { StoreBackend } from '../backend.ts';
import { PAYMENT_TYPES } from '../../events/contract.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';
import { CUSTOM_TOTALS_TABLES } from '../duckdb/custom-totals.ts';
import { CLICKHOUSE_TOTALS_TABLES } from '../clickhouse/custom-totals.ts';
import { CUSTOM_GRAINS, type CustomGrain } from '../analytics-store.ts';

export interface RetentionCutoffs {
  /** Raw events with occurred_at before this (epoch ms) expire. */
  rawBeforeMs: number;
  /** Minute and hour rollups with minute before these (epoch minutes) expire. */
  minuteBefore: number;
  hourBefore: number;
  /** Custom events (issue 15): raw before an epoch ms, each rollup grain before an epoch minute. */
  custom?: CustomRetentionCutoffs;
}

export interface CustomRetentionCutoffs {
  rawBeforeMs: number;
  minuteBefore: number;
  hourBefore: number;
  dayBefore: number;
}

const CUSTOM_ROLLUPS = ['custom_rollup_stats', 'custom_rollup_bins', 'custom_rollup_users'];

/** The bucket (epoch minutes) before which a grain's custom rollup rows expire. */
function customCutoff(c: CustomRetentionCutoffs, grain: CustomGrain): number {
  return grain === 1 ? c.minuteBefore : grain === 60 ? c.hourBefore : c.dayBefore;
}

function customGrains(c: CustomRetentionCutoffs): string {
  return CUSTOM_GRAINS.map((g) => `(grain = ${g} AND bucket < ${sqlInt(customCutoff(c, g))})`).join(' OR ');
}

/**
 * Custom events: raw rows by event time, rollup rows of each grain by bucket. On ClickHouse by
 * mutations (a mutation on 18.16 rewrites only the parts holding a matching row); the rollup
 * tables are partitioned by (grain, month), so those mutations touch the old months only.
 */
function customSql(c: CustomRetentionCutoffs, kind: 'duckdb' | 'clickhouse'): string[] {
  const del = (table: string, cond: string) => (kind === 'duckdb' ? `DELETE FROM ${table} WHERE ${cond}` : `ALTER TABLE ${table} DELETE WHERE ${cond}`);
  return [
    del('custom_events', `occurred_at < ${sqlInt(c.rawBeforeMs)}`),
    ...CUSTOM_ROLLUPS.map((t) => del(t, customGrains(c))),
    // The totals of the same rollups (not counted by the preview: they are sums of its rows).
    ...(kind === 'duckdb'
      ? CUSTOM_TOTALS_TABLES.map(([t, grain]) => del(t, `bucket < ${sqlInt(customCutoff(c, grain))}`))
      : CLICKHOUSE_TOTALS_TABLES.map((t) => del(t, customGrains(c)))),
  ];
}

const PAYMENTS = PAYMENT_TYPES.length;

const rawExpired = (c: RetentionCutoffs, kind: 'duckdb' | 'clickhouse') => `occurred_at < ${sqlInt(c.rawBeforeMs)} AND (type >= ${PAYMENTS} OR entity_id NOT IN (
  SELECT entity_id FROM raw_events WHERE type < ${PAYMENTS} AND occurred_at >= ${sqlInt(c.rawBeforeMs)} AND ${committedRows(kind)}))`;

/** yyyymm of a UTC instant, as ClickHouse's toYYYYMM names month partitions. */
function yyyymm(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/**
 * The ClickHouse rollup tables that expire, by month partition and then by row: the minute rows,
 * and the hour rows with their sums per currency (a network-wide hour answer reads those: they
 * must cover the same hours).
 */
const EXPIRED_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_hour_by_currency'] as const;
type ExpiredTable = (typeof EXPIRED_TABLES)[number];

const SQL = {
  duckdb: (c: RetentionCutoffs) => [
    `DELETE FROM raw_events WHERE ${rawExpired(c, 'duckdb')}`,
    `DELETE FROM merchant_transactions WHERE updated_at < ${sqlInt(c.rawBeforeMs)}`,
    `DELETE FROM rollup_minute WHERE minute < ${sqlInt(c.minuteBefore)}`,
    `DELETE FROM rollup_hour WHERE minute < ${sqlInt(c.hourBefore)}`,
    ...(c.custom ? customSql(c.custom, 'duckdb') : []),
  ],
  clickhouse: (c: RetentionCutoffs, months: Record<ExpiredTable, number[]>) => {
    const before: Record<ExpiredTable, number> = { rollup_minute: c.minuteBefore, rollup_hour: c.hourBefore, rollup_hour_by_currency: c.hourBefore };
    const drops = EXPIRED_TABLES.flatMap((t) =>
      months[t].filter((m) => m < yyyymm(before[t] * 60_000)).map((m) => `ALTER TABLE ${t} DROP PARTITION ${sqlInt(m)}`));
    return [
      ...drops,
      `ALTER TABLE raw_events DELETE WHERE ${rawExpired(c, 'clickhouse')}`,
      `ALTER TABLE merchant_transactions DELETE WHERE updated_at < ${sqlInt(c.rawBeforeMs)}`,
      ...EXPIRED_TABLES.map((t) => `ALTER TABLE ${t} DELETE WHERE minute < ${sqlInt(before[t])}`),
      ...(c.custom ? customSql(c.custom, 'clickhouse') : []),
    ];
  },
};

/** Rows expireBefore would delete (delta rows, committed): raw events, transaction rows, minute and hour rollup rows, and custom events' raw and rollup rows. */
export interface RetentionPreview {
  rawEvents: number;
  transactionRows: number;
  minuteRows: number;
  hourRows: number;
  /** Present when the cutoffs have custom events' (the same rows customSql deletes). */
  custom?: { rawEvents: number; rollupRows: number };
}

const PREVIEW = (c: RetentionCutoffs, kind: 'duckdb' | 'clickhouse') => `SELECT
  (SELECT count(*) FROM raw_events WHERE ${committedRows(kind)} AND ${rawExpired(c, kind)}) AS raw,
  (SELECT count(*) FROM merchant_transactions WHERE ${committedRows(kind)} AND updated_at < ${sqlInt(c.rawBeforeMs)}) AS txn_rows,
  (SELECT count(*) FROM rollup_minute WHERE ${committedRows(kind)} AND minute < ${sqlInt(c.minuteBefore)}) AS minute_rows,
  (SELECT count(*) FROM rollup_hour WHERE ${committedRows(kind)} AND minute < ${sqlInt(c.hourBefore)}) AS hour_rows${c.custom ? `,
  (SELECT count(*) FROM custom_events WHERE ${committedRows(kind)} AND occurred_at < ${sqlInt(c.custom.rawBeforeMs)}) AS custom_raw,
  ${CUSTOM_ROLLUPS.map((t) => `(SELECT count(*) FROM ${t} WHERE ${committedRows(kind)} AND (${customGrains(c.custom!)}))`).join(' + ')} AS custom_rollups` : ''}`;

const PREVIEW_SQL = { duckdb: (c: RetentionCutoffs) => PREVIEW(c, 'duckdb'), clickhouse: (c: RetentionCutoffs) => PREVIEW(c, 'clickhouse') };

export async function retentionPreview(b: StoreBackend, c: RetentionCutoffs): Promise<RetentionPreview> {
  const [r] = await b.select(PREVIEW_SQL[b.kind](c));
  return {
    rawEvents: Number(r.raw), transactionRows: Number(r.txn_rows), minuteRows: Number(r.minute_rows), hourRows: Number(r.hour_rows),
    ...(c.custom ? { custom: { rawEvents: Number(r.custom_raw), rollupRows: Number(r.custom_rollups) } } : {}),
  };
}

export async function expireBefore(b: StoreBackend, c: RetentionCutoffs): Promise<void> {
  if (b.kind === 'duckdb') return b.exec(SQL.duckdb(c));
  const parts = await b.select(`SELECT DISTINCT table, partition FROM system.parts
    WHERE database = currentDatabase() AND active AND table IN (${EXPIRED_TABLES.map((t) => `'${t}'`).join(', ')})`);
  const months = Object.fromEntries(EXPIRED_TABLES.map((t) => [t, [] as number[]])) as Record<ExpiredTable, number[]>;
  for (const p of parts) months[String(p.table) as keyof typeof months].push(Number(p.partition));
  return b.exec(SQL.clickhouse(c, months));
}
