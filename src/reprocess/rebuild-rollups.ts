// Reprocess: rebuilds the rollups of a range of UTC days from the raw events and corrects what
// differs. The expected cells come from the same aggregation ingest uses (the transaction index
// and the delta accumulator, on a fresh state fed the range's raw events); the current cells are
// read from each table; their difference is committed as one batch of delta rows with no raw
// rows, through the engine (at a safe point: ingest paused, so nothing moves between the read
// and the write) and the store's commit protocol. Rollups are additive, so the correction makes
// each cell exactly its value from raw. On ClickHouse the correction batch is all or nothing like
// any other (its rows count once its commit marker exists; a cut-short one is removed at the
// next start) and rerunning finds nothing left to correct. A dry run computes the same
// difference and writes nothing.
//
// Sums a backend derives from the rollups (ClickHouse's per currency of the hour and day rows)
// follow the correction through their views, so they move with it; where they had drifted from
// the rollup rows on their own, the run then mends them over the same buckets (the dry run
// counts those cells).

import { applyPayment, createTxnIndex } from '../ingest/indexes/txn-index.ts';
import { addDelta, createAccumulator, foldDeltas, withoutZeros, type DeltaRows } from '../ingest/indexes/delta-accumulator.ts';
import { createTuples, tupleId, tupleKey, type Tuples, T_COUNTRY, T_CITY, T_CURRENCY, T_MERCHANT, T_METHOD, T_PROVIDER } from '../ingest/indexes/dimensions.ts';
import { resolve } from '../ingest/batch-columns.ts';
import { hash96, type Hash96 } from '../ingest/hash.ts';
import { PAYMENT_TYPES, TYPE_CODE } from '../events/contract.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_REFUND } from '../events/rollup-kinds.ts';
import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore, DimensionKeys, RawFact, RollupColumns, RollupTable } from '../store/analytics-store.ts';

const DAY_MS = 86_400_000;
const TABLES: readonly RollupTable[] = ['minute', 'hour', 'day'];
const PERIOD: Record<RollupTable, number> = { minute: 1, hour: 60, day: 1440 };
const EVENT_KIND: Record<number, number> = {
  [TYPE_CODE.refund_created]: KIND_REFUND,
  [TYPE_CODE.dispute_created]: KIND_DISPUTE,
  [TYPE_CODE.payout_created]: KIND_PAYOUT,
  [TYPE_CODE['payout.settled']]: KIND_PAYOUT_SETTLED,
};

export interface ReprocessRange {
  /** Epoch ms; widened to whole UTC days (a day bucket is rebuilt whole or not at all). */
  fromMs: number;
  toMs: number;
}

export interface ReprocessLimits {
  /** Raw events before this (epoch ms) may have expired: a range starting earlier is refused. */
  rawCutoffMs: number;
  /** Minute and hour buckets before these (epoch minutes) are retention's: left alone. */
  minuteBefore: number;
  hourBefore: number;
}

export interface CellValue { cnt: bigint; amountMinor: bigint; feeMinor: bigint }

export interface ChangedCell extends DimensionKeys {
  table: RollupTable;
  /** Bucket start, epoch minutes. */
  minute: number;
  kind: number;
  before: CellValue;
  after: CellValue;
}

export interface ReprocessReport {
  /** The range rebuilt, after widening to whole UTC days (ISO). */
  from: string;
  to: string;
  rawEvents: number;
  tables: Record<RollupTable, { cellsChanged: number; bucketsChanged: number }>;
  changes: ChangedCell[];
  /** The correction's batch id; null on a dry run or when nothing differed. */
  batchId: number | null;
  /**
   * Per table with derived sums (ClickHouse: hour, day), the cells of those sums that differed
   * from the table's rows: mended by the run, counted by a dry run. Empty where there are none.
   */
  summaries: Partial<Record<RollupTable, number>>;
}

export class ReprocessRangeError extends Error {
  readonly code = 'reprocess_range_invalid';
}

/** Rebuilds the range's rollups from raw (dryRun: only computes the difference). */
export async function reprocessRange(
  store: AnalyticsStore, engine: Engine, range: ReprocessRange, limits: ReprocessLimits, dryRun: boolean,
): Promise<ReprocessReport> {
  const fromMs = Math.floor(range.fromMs / DAY_MS) * DAY_MS;
  const toMs = Math.ceil(range.toMs / DAY_MS) * DAY_MS;
  if (!(toMs > fromMs)) throw new ReprocessRangeError('--to must be after --from');
  if (fromMs < limits.rawCutoffMs) {
    throw new ReprocessRangeError(`raw events before ${new Date(limits.rawCutoffMs).toISOString()} may have expired (RAW_RETENTION_DAYS): `
      + 'rebuilding from them would lose what the rollups still hold; start the range later');
  }
  let report: ReprocessReport | null = null;
  const compute = async () => {
    const diff = await difference(store, fromMs, toMs, limits);
    report = diff.report;
    return dryRun || diff.report.changes.length === 0 ? null : diff.rollups;
  };
  // A dry run reads alone; a real one reads and writes at one safe point of the engine.
  let batchId: number | null = null;
  if (dryRun) await compute();
  else batchId = await engine.correctRollups('reprocess', compute);
  const summaries: ReprocessReport['summaries'] = {};
  for (const table of TABLES) {
    const q = { table, fromMinute: firstBucket(table, fromMs, limits), toMinute: toMs / 60_000 };
    if (q.fromMinute >= q.toMinute) continue;
    const cells = dryRun ? (await store.summaryVerify(q))?.differences.length ?? null : await store.summaryMend(q);
    if (cells !== null) summaries[table] = cells;
  }
  return { ...report!, batchId, summaries };
}

/** A table's first bucket in the range: buckets before its retention floor are retention's, left alone. */
function firstBucket(table: RollupTable, fromMs: number, limits: ReprocessLimits): number {
  const floor: Record<RollupTable, number> = { minute: limits.minuteBefore, hour: limits.hourBefore, day: -Infinity };
  return Math.max(fromMs / 60_000, alignUp(floor[table], PERIOD[table]));
}

async function difference(store: AnalyticsStore, fromMs: number, toMs: number, limits: ReprocessLimits) {
  const facts = await store.reprocessRaw(fromMs, toMs);
  const tuples = createTuples();
  const expectedMinute = expectedDeltas(facts, tuples, fromMs / 60_000, toMs / 60_000);
  const expected: Record<RollupTable, DeltaRows> = {
    minute: expectedMinute, hour: foldDeltas(expectedMinute, 60), day: foldDeltas(expectedMinute, 1440),
  };
  const rollups = {} as Record<RollupTable, RollupColumns>;
  const tables = {} as ReprocessReport['tables'];
  const changes: ChangedCell[] = [];
  for (const table of TABLES) {
    const fromMinute = firstBucket(table, fromMs, limits);
    const toMinute = toMs / 60_000;
    const acc = createAccumulator();
    const before = new Map<string, CellValue>();
    const after = new Map<string, CellValue>();
    const e = expected[table];
    for (let i = 0; i < e.minute.length; i++) {
      if (e.minute[i] < fromMinute) continue;
      addDelta(acc, e.minute[i], e.kind[i], e.tuple[i], e.cnt[i], e.amount[i], e.fee[i]);
      after.set(cellKey(e.minute[i], e.kind[i], e.tuple[i]), { cnt: BigInt(e.cnt[i]), amountMinor: e.amount[i], feeMinor: e.fee[i] });
    }
    const current = fromMinute < toMinute ? await store.rollupCells(table, { fromMinute, toMinute }) : [];
    for (const c of current) {
      const t = tupleId(tuples, c.merchantKey, c.countryKey, c.cityKey, c.currencyKey, c.methodKey, c.providerKey);
      addDelta(acc, c.minute, c.kind, t, -Number(c.cnt), -c.amountMinor, -c.feeMinor);
      before.set(cellKey(c.minute, c.kind, t), { cnt: c.cnt, amountMinor: c.amountMinor, feeMinor: c.feeMinor });
    }
    const correction = withoutZeros(acc);
    const zero: CellValue = { cnt: 0n, amountMinor: 0n, feeMinor: 0n };
    const buckets = new Set<number>();
    for (let i = 0; i < correction.minute.length; i++) {
      const key = cellKey(correction.minute[i], correction.kind[i], correction.tuple[i]);
      buckets.add(correction.minute[i]);
      changes.push({
        table, minute: correction.minute[i], kind: correction.kind[i], ...keysOf(tuples, correction.tuple[i]),
        before: before.get(key) ?? zero, after: after.get(key) ?? zero,
      });
    }
    tables[table] = { cellsChanged: correction.minute.length, bucketsChanged: buckets.size };
    rollups[table] = resolve(tuples, correction);
  }
  changes.sort((a, b) => TABLES.indexOf(a.table) - TABLES.indexOf(b.table) || a.minute - b.minute || a.kind - b.kind);
  const report: ReprocessReport = {
    from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), rawEvents: facts.length, tables, changes, batchId: null, summaries: {},
  };
  return { report, rollups };
}

/** Minute deltas of the events, as ingest computes them, kept to buckets in [fromMinute, toMinute). */
function expectedDeltas(facts: readonly RawFact[], tuples: Tuples, fromMinute: number, toMinute: number): DeltaRows {
  const acc = createAccumulator();
  const txns = createTxnIndex(facts.length);
  const idHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const txnHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  for (const r of facts) {
    const tuple = tupleId(tuples, r.merchantKey, r.countryKey, r.cityKey, r.currencyKey, r.methodKey, r.providerKey);
    if (r.type < PAYMENT_TYPES.length) {
      hash96(r.eventId, idHash);
      hash96(r.entityId, txnHash);
      applyPayment(txns, tuples, txnHash, { at: r.occurredAt, status: r.status, tie: idHash.h1, tuple, amount: r.amountMinor, fee: r.feeMinor }, acc);
    } else {
      addDelta(acc, Math.floor(r.occurredAt / 60_000), EVENT_KIND[r.type], tuple, 1, r.amountMinor, r.feeMinor);
    }
  }
  const all = withoutZeros(acc);
  const kept: DeltaRows = { minute: [], kind: [], tuple: [], cnt: [], amount: [], fee: [] };
  for (let i = 0; i < all.minute.length; i++) {
    if (all.minute[i] < fromMinute || all.minute[i] >= toMinute) continue;
    kept.minute.push(all.minute[i]);
    kept.kind.push(all.kind[i]);
    kept.tuple.push(all.tuple[i]);
    kept.cnt.push(all.cnt[i]);
    kept.amount.push(all.amount[i]);
    kept.fee.push(all.fee[i]);
  }
  return kept;
}

const cellKey = (minute: number, kind: number, tuple: number) => `${minute}:${kind}:${tuple}`;
const alignUp = (minute: number, period: number) => (Number.isFinite(minute) ? Math.ceil(minute / period) * period : minute);

function keysOf(t: Tuples, id: number): DimensionKeys {
  return {
    merchantKey: tupleKey(t, id, T_MERCHANT), countryKey: tupleKey(t, id, T_COUNTRY), cityKey: tupleKey(t, id, T_CITY),
    currencyKey: tupleKey(t, id, T_CURRENCY), methodKey: tupleKey(t, id, T_METHOD), providerKey: tupleKey(t, id, T_PROVIDER),
  };
}
