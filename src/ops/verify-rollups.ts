// `verify`: reconciles the minute, hour and day rollups with the raw events over a range, table
// by table and bucket by bucket (the runbook's "incorrect aggregate values"), and reports every
// cell that differs with its names (merchant, country…) rather than its keys. Read-only.
//
// Each table is checked over the whole buckets of the range that are still within both its own
// retention and the raw events' (RAW_RETENTION_DAYS): before that, one side is gone by design.
// Where the backend derives sums from a table (ClickHouse's sums per currency of the hour and
// day rows, read by network-wide answers), those are checked against the table over the same
// buckets, as a report of their own (`against: 'rollup'`).

import type { AnalyticsStore, RollupDifference } from '../store/analytics-store.ts';
import type { RollupTable } from '../store/query-shapes.ts';
import { BUCKET_MINUTES } from '../store/open-analytics-store.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode } from '../reference/currencies.ts';
import { DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER } from '../ingest/indexes/dimensions.ts';

export interface VerifyPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
}

/** What a check compared with what: a rollup with the raw events, or a backend's sums per currency with their rollup. */
export type CheckedAgainst = 'raw_events' | 'rollup';

export interface NamedDifference {
  table: RollupTable;
  /** 'rollup': the row is one of the table's sums per currency (merchant, country, city, method, provider: all, ''). */
  against: CheckedAgainst;
  bucket: string;
  merchant: string;
  country: string;
  city: string;
  currency: string;
  method: string;
  provider: string;
  kind: string;
  /** cnt/amount_minor/fee_minor as the raw events give them, and as the table holds them. */
  expected: string;
  stored: string;
}

export interface TableReport {
  table: RollupTable;
  /** 'raw_events': the table's cells; 'rollup': the backend's sums per currency of the table, against the table. */
  against: CheckedAgainst;
  /** The buckets checked, [from, to) as ISO times; null when none of the range could be (retention). */
  from: string | null;
  to: string | null;
  cells: number;
  differences: number;
}

export interface VerifyReport {
  ok: boolean;
  tables: TableReport[];
  differences: NamedDifference[];
}

const DAY_MS = 86_400_000;
const KIND_NAMES = ['', 'pending', 'succeeded', 'failed', 'refund', 'dispute', 'payout', 'payout_settled'];
const iso = (minute: number) => new Date(minute * 60_000).toISOString();

/** [from, to) in epoch minutes for one table: whole buckets, within retention (null if empty). */
export function tableRange(table: RollupTable, fromMs: number, toMs: number, policy: VerifyPolicy, now: number): [number, number] | null {
  const today = Math.floor(now / DAY_MS);
  const keptDays = table === 'minute' ? Math.min(policy.rawDays, policy.minuteDays)
    : table === 'hour' ? Math.min(policy.rawDays, policy.hourDays) : policy.rawDays;
  const period = BUCKET_MINUTES[table];
  const floorMinute = Math.max(Math.floor(fromMs / 60_000), (today - keptDays) * 1440);
  const from = Math.ceil(floorMinute / period) * period;
  const to = Math.floor(Math.ceil(toMs / 60_000) / period) * period;
  return from < to ? [from, to] : null;
}

export async function verifyRollups(store: AnalyticsStore, o: {
  fromMs: number; toMs: number; policy: VerifyPolicy; now: number;
  tables?: RollupTable[];
  /** Called after each table (progress). */
  onTable?: (done: number, total: number, table: RollupTable) => void;
}): Promise<VerifyReport> {
  const tables = o.tables ?? ['minute', 'hour', 'day'];
  const names = await nameOf(store);
  const reports: TableReport[] = [];
  const differences: NamedDifference[] = [];
  for (const [i, table] of tables.entries()) {
    const range = tableRange(table, o.fromMs, o.toMs, o.policy, o.now);
    if (!range) {
      reports.push({ table, against: 'raw_events', from: null, to: null, cells: 0, differences: 0 });
    } else {
      const q = { table, fromMinute: range[0], toMinute: range[1] };
      for (const [against, answer] of [['raw_events', await store.rollupVerify(q)], ['rollup', await store.summaryVerify(q)]] as const) {
        if (!answer) continue;
        reports.push({ table, against, from: iso(range[0]), to: iso(range[1]), cells: answer.cells, differences: answer.differences.length });
        for (const d of answer.differences) differences.push(named(table, against, d, names));
      }
    }
    o.onTable?.(i + 1, tables.length, table);
  }
  return { ok: differences.length === 0, tables: reports, differences };
}

async function nameOf(store: AnalyticsStore): Promise<(dim: number, key: number) => string> {
  const dict = new Map<string, string>();
  for (const d of await store.loadDictionary()) dict.set(`${d.dim}:${d.key}`, d.value);
  return (dim, key) => (key === 0 ? '' : dict.get(`${dim}:${key}`) ?? `#${key}`);
}

function named(table: RollupTable, against: CheckedAgainst, d: RollupDifference, name: (dim: number, key: number) => string): NamedDifference {
  const triple = (c: RollupDifference['expected']) => `${c.cnt}/${c.amountMinor}/${c.feeMinor}`;
  return {
    table, against, bucket: iso(d.minute),
    merchant: name(DIM_MERCHANT, d.merchantKey), country: countryCode(d.countryKey), city: name(DIM_CITY, d.cityKey),
    currency: currencyCode(d.currencyKey), method: name(DIM_METHOD, d.methodKey), provider: name(DIM_PROVIDER, d.providerKey),
    kind: KIND_NAMES[d.kind] ?? String(d.kind),
    expected: triple(d.expected), stored: triple(d.stored),
  };
}
