// The analytics store port: the named operations the platform asks of its columnar store. Each
// read is a query module under queries/ holding its parameters, its row type and its SQL for
// every backend side by side; a backend (duckdb/, clickhouse/) runs them (backend.ts). Nothing
// outside src/store writes SQL for the analytics store. Everything crossing the port is plain
// data: column arrays in, typed rows out.

/** The six dimension keys every raw and rollup row carries. */
export interface DimensionKeyColumns {
  merchantKey: Int32Array;
  countryKey: Int32Array;
  cityKey: Int32Array;
  currencyKey: Int32Array;
  methodKey: Int32Array;
  providerKey: Int32Array;
}

/**
 * Raw events of one batch, column by column; the first `count` entries are valid. Numeric
 * columns are typed arrays (appended to the store without per-value conversion).
 */
export interface RawColumns extends DimensionKeyColumns {
  count: number;
  eventId: string[];
  type: Uint8Array;
  occurredAt: BigInt64Array;
  offsetMinutes: Int16Array;
  entityId: string[];
  txnId: Array<string | null>;
  status: Uint8Array;
  amountMinor: BigInt64Array;
  feeMinor: BigInt64Array;
  failureReason: Array<string | null>;
  customerId: Array<string | null>;
  reason: Array<string | null>;
  metadata: Array<string | null>;
}

/**
 * The transaction rows of one batch (merchant_transactions): for each transaction the batch
 * changed, its whole state after the batch, as the ingest's transaction index holds it; and,
 * where the batch moved it (an earlier event changed its creation time, or a later one its
 * merchant), a removal row at its old key. Readers take, per key, the row of the greatest batch.
 */
export interface TxnColumns extends DimensionKeyColumns {
  count: number;
  txnId: string[];
  createdAt: BigInt64Array;
  updatedAt: BigInt64Array;
  status: Uint8Array;
  amountMinor: BigInt64Array;
  feeMinor: BigInt64Array;
  /** 1: the transaction is no longer at this (merchant, created_at) key. */
  removed: Uint8Array;
}

/** Rollup delta rows for one table, with dimension keys resolved. */
export interface RollupColumns extends DimensionKeyColumns {
  minute: Int32Array;
  kind: Uint8Array;
  cnt: Int32Array;
  amountMinor: BigInt64Array;
  feeMinor: BigInt64Array;
}

import type { RollupTable } from './query-shapes.ts';
import type { BackendKind } from './backend.ts';
import type { AggregateAnswer, RollupAggregate } from './queries/rollup-aggregate.ts';
import type { RawEventPageQuery, RawEventRange, RawEventRow, RawEventGroup } from './queries/raw-events.ts';
import type { DeadLetterQuery, DeadLetterRow } from './queries/dead-letters.ts';
import type { FxRateFilter, FxRateRow } from './queries/fx.ts';
import type { LiveSeed } from './queries/live-seed.ts';
import type { RetentionCutoffs, RetentionPreview } from './queries/retention.ts';
import type { RawFact } from './queries/reprocess-raw.ts';
import type { MinuteRange } from './queries/rollup-cells.ts';
import type { StoreCounts } from './queries/store-facts.ts';
import type { RollupCell } from './queries/rollup-cells.ts';
import type { RollupVerifyQuery, RollupVerifyAnswer, RollupDifference } from './queries/rollup-verify.ts';
import type { TransactionPageQuery, TransactionRow, TransactionSort } from './queries/merchant-transactions.ts';
import type { DisputePageQuery, DisputeRow } from './queries/merchant-disputes.ts';
import type { PayoutPageQuery, PayoutRow } from './queries/merchant-payouts.ts';
import type { BalanceQuery, BalanceRow } from './queries/merchant-balance.ts';
import type { CoverageQuery, CoverageRow } from './queries/merchant-payout-coverage.ts';
import type { ProviderHealthQuery, ProviderHealthRow, HealthHalf } from './queries/provider-health.ts';
import type { ProviderReplayQuery, ProviderReplayRow } from './queries/provider-replay.ts';
import type { EffectiveRates, StoredRate } from '../fx/fx-effective.ts';
import type { CustomStatsAnswer, CustomStatsQuery } from './queries/custom-event-stats.ts';
import type { CustomEventKeyVisitor } from './queries/custom-event-state.ts';

export type { CustomStatsAnswer, CustomStatsQuery, CustomEventKeyVisitor };

export type { RollupTable, RawEventPageQuery, RawEventRange, RawEventRow, RawEventGroup, DeadLetterQuery, DeadLetterRow };
export type { RawFact, MinuteRange, RetentionPreview };
export type { RollupVerifyQuery, RollupVerifyAnswer, RollupDifference };
export type { FxRateFilter, FxRateRow, LiveSeed, RetentionCutoffs, StoreCounts, RollupCell, AggregateAnswer, RollupAggregate };
export type { TransactionPageQuery, TransactionRow, TransactionSort };
export type { DisputePageQuery, DisputeRow };
export type { PayoutPageQuery, PayoutRow, BalanceQuery, BalanceRow, CoverageQuery, CoverageRow };
export type { ProviderHealthQuery, ProviderHealthRow, HealthHalf, ProviderReplayQuery, ProviderReplayRow };

export interface DeadLetter {
  id: number;
  receivedAt: number;
  source: string;
  batchIndex: number;
  code: string;
  message: string;
  eventId: string | null;
  payload: string;
  payloadTruncated: boolean;
}

/** A source's position: `source` names one stream (`file:/path`, `kafka:topic/3`), `position` is opaque to the store. */
export interface SourcePosition {
  source: string;
  position: string;
}

/** Everything one batch writes, committed in a single transaction. */
export interface PreparedBatch {
  batchId: number;
  committedAt: number;
  source: string;
  /**
   * Where each source of the batch stands after it (a file's byte offset, a Kafka partition's
   * next offset…), committed with the data: after a crash a source resumes from here.
   */
  positions: readonly SourcePosition[];
  raw: RawColumns;
  txns: TxnColumns;
  rollups: Record<RollupTable, RollupColumns>;
  dictionary: Array<{ dim: number; key: number; value: string }>;
  deadLetters: DeadLetter[];
  replayed: Array<{ id: number; result: string }>;
  accepted: number;
  duplicates: number;
  rejected: number;
  maxOccurredAt: number | null;
  /** Custom events of the batch (POST /api/v1/track), committed with it; absent in payment batches. */
  custom?: CustomBatch;
}

/** Rollup grains of custom events, in minutes (5m and 15m are read from 1m). */
export const CUSTOM_GRAINS = [1, 60, 1440] as const;
export type CustomGrain = (typeof CUSTOM_GRAINS)[number];

/** One tracked event as stored (docs/custom-events.md). */
export interface CustomRawRow {
  eventId: string;
  eventType: string;
  /** Epoch ms. */
  occurredAt: number;
  userId: string | null;
  sessionId: string | null;
  /** The event's properties as JSON text (keys sorted). */
  properties: string;
  /** The definition version it was validated against; 0 for an undefined type (not aggregated). */
  definitionVersion: number;
  /** 32-bit content hash: a resent id with other content is a conflict (rebuilt into the dedupe index). */
  fingerprint: number;
}

/**
 * The distinct rollup keys of one batch, by index: grain, bucket (epoch minutes), type, dimension
 * tuple (JSON text, keys sorted). The stats, bins and users rows point at them (`key`), so a key's
 * strings are made once per batch, not once per row.
 */
export interface CustomRollupKeys {
  length: number;
  grain: Int16Array;
  bucket: Int32Array;
  eventType: string[];
  dims: string[];
}

/**
 * Per key and measure ('' = the events themselves): count, sum, min, max. Money measures
 * (unit minor_units) fill the exact integer columns (`*Minor`), the others the float ones.
 */
export interface CustomStatRows {
  length: number;
  key: Int32Array;
  measure: string[];
  cnt: Int32Array;
  sumValue: Float64Array;
  minValue: Float64Array;
  maxValue: Float64Array;
  sumMinor: BigInt64Array;
  minMinor: BigInt64Array;
  maxMinor: BigInt64Array;
}

/** Quantile sketch rows (src/sketch/quantile-sketch.ts) per key and measure. */
export interface CustomBinRows {
  length: number;
  key: Int32Array;
  measure: string[];
  bin: Int32Array;
  cnt: Int32Array;
}

/** Distinct-user sketch rows (src/sketch/distinct-sketch.ts) per key. */
export interface CustomUserRows {
  length: number;
  key: Int32Array;
  register: Int16Array;
  rank: Uint8Array;
}

/** A batch's custom rows, columnar: one entry per row of each table, keys shared through `keys`. */
export interface CustomBatch {
  raw: CustomRawRow[];
  keys: CustomRollupKeys;
  stats: CustomStatRows;
  bins: CustomBinRows;
  users: CustomUserRows;
}

/** The six dimension keys of one raw or rollup row. */
export interface DimensionKeys {
  merchantKey: number;
  countryKey: number;
  cityKey: number;
  currencyKey: number;
  methodKey: number;
  providerKey: number;
}

/** One raw event row: what rebuilding the in-memory indexes needs (its content, for the fingerprint). */
export interface StateRow extends DimensionKeys {
  eventId: string;
  type: number;
  occurredAt: number;
  entityId: string;
  txnId: string | null;
  status: number;
  amountMinor: bigint;
  feeMinor: bigint;
  failureReason: string | null;
  customerId: string | null;
  reason: string | null;
  metadata: string | null;
}

export interface StoreMeta {
  /** Random id given to the store at creation. */
  storeId: string;
  lastBatchId: number;
  lastDeadLetterId: number;
  maxOccurredAt: number | null;
  lastCommittedAt: number | null;
  /** Raw events held (sizes the in-memory indexes before a rebuild). */
  rawEvents: number;
}

/** What a store (or a copy of it) holds, as of one commit: a backup's manifest and its checks. */
export interface StoreSnapshot {
  storeId: string;
  schemaVersion: number;
  /** The last batch committed: resending everything after it ends exact (dedupe). */
  lastBatchId: number;
  /** Each source's position as of that batch. */
  positions: SourcePosition[];
  /** Rows per table. */
  rows: Record<string, number>;
}

export interface AnalyticsStore {
  /** Which backend answers. */
  readonly backend: BackendKind;

  // The ingest engine's side: one batch at a time, and what rebuilding its state reads.
  /** Makes every write of one batch durable and visible together. */
  commitBatch(batch: PreparedBatch): Promise<void>;
  /** Streams the raw event rows of batches after `afterBatchId` to `visit`, in no particular order. */
  scanState(visit: (row: StateRow) => void, afterBatchId?: number): Promise<number>;
  loadDictionary(): Promise<Array<{ dim: number; key: number; value: string }>>;
  loadMeta(): Promise<StoreMeta>;
  /** The position recorded with the source's last committed batch, if any. */
  sourcePosition(source: string): Promise<string | null>;

  // Reads.
  /** Metrics over rollup ranges, per bucket and groups (the planner's plan, as data). */
  rollupAggregate(q: RollupAggregate): Promise<AggregateAnswer>;
  rawEventPage(q: RawEventPageQuery): Promise<RawEventRow[]>;
  rawEventStats(q: RawEventRange): Promise<{ groups: RawEventGroup[]; merchants: number }>;
  rawEventById(eventId: string): Promise<RawEventRow | null>;
  /** One merchant's transactions (payment events folded per txn_id), a keyset page. */
  merchantTransactionPage(q: TransactionPageQuery): Promise<TransactionRow[]>;
  /** One merchant's disputes (dispute_created events folded per dispute_id), newest first, a keyset page. */
  merchantDisputePage(q: DisputePageQuery): Promise<DisputeRow[]>;
  /** One merchant's payouts (payout events folded per payout_id), newest first, a keyset page, each with what its currency's earlier payouts paid. */
  merchantPayoutPage(q: PayoutPageQuery): Promise<PayoutRow[]>;
  /** One merchant's balance per currency: captured, fees, refunds, held back since a cutoff, paid out. */
  merchantBalance(q: BalanceQuery): Promise<BalanceRow[]>;
  /** The succeeded transactions a stretch of paid-out money covers, first in, first out. */
  merchantPayoutCoverage(q: CoverageQuery): Promise<CoverageRow[]>;
  /** Payments created in a window per provider, country, currency and method, per half of it (the routing mesh's health). */
  providerHealth(q: ProviderHealthQuery): Promise<ProviderHealthRow[]>;
  /** One currency's payments in some countries over a window per method, provider and amount band (the mesh's simulation). */
  providerReplay(q: ProviderReplayQuery): Promise<ProviderReplayRow[]>;
  deadLetters(q: DeadLetterQuery): Promise<DeadLetterRow[]>;
  /** Custom events (issue 15): merged rollup stats, sketch bins and distinct-user registers over one grain. */
  customEventStats(q: CustomStatsQuery): Promise<CustomStatsAnswer>;
  /** Visits every committed custom event's id, fingerprint and time, page by page (the track dedupe index's rebuild); returns how many. */
  scanCustomEventKeys(visit: CustomEventKeyVisitor): Promise<number>;
  /** The dimension tuples of the day rollups per event type (the cardinality caps' rebuild). */
  customDimensionTuples(): Promise<Array<{ eventType: string; dims: string }>>;
  fxRates(f: FxRateFilter): Promise<FxRateRow[]>;
  fxRateCount(): Promise<number>;
  /** The rate per minor unit in force on each UTC day of [fromDay, toDay] (epoch days). */
  fxEffective(fromDay: number, toDay: number): Promise<Array<{ currencyKey: number; day: number; usdPerMinor: number }>>;
  /** Minute rollups from `fromMinute` on, summed per minute, merchant, country, city, currency, kind. */
  liveSeed(fromMinute: number): Promise<LiveSeed>;
  /** The non-zero cells of a rollup table (reconciliation). */
  rollupCells(table: RollupTable, range?: MinuteRange): Promise<RollupCell[]>;
  /** The raw events a rebuild of the rollups over [fromMs, toMs) reads (reprocess). */
  reprocessRaw(fromMs: number, toMs: number): Promise<RawFact[]>;
  /** A rollup table's cells over a range of buckets against the same cells recomputed from raw events: those that differ. */
  rollupVerify(q: RollupVerifyQuery): Promise<RollupVerifyAnswer>;
  /**
   * A backend's sums derived from a rollup table (ClickHouse's sums per currency of the hour and
   * day rows) against that table, over the same buckets: those that differ; null when it has none.
   */
  summaryVerify(q: RollupVerifyQuery): Promise<RollupVerifyAnswer | null>;
  counts(): Promise<StoreCounts>;
  /** The migration the store reached, and the one this code expects. */
  schemaVersion(): Promise<{ applied: number; expected: number }>;

  // Writes outside batches.
  /** Adds FX rates, replacing those of the same (date, currency). */
  saveFxRates(rates: readonly StoredRate[], source: string, loadedAt: number): Promise<void>;
  /** Replaces the per-day rate table. */
  replaceFxEffective(rows: EffectiveRates): Promise<void>;
  expireBefore(cutoffs: RetentionCutoffs): Promise<void>;
  /** What expireBefore(cutoffs) would delete now, counted (the retention dry run). */
  retentionPreview(cutoffs: RetentionCutoffs): Promise<RetentionPreview>;
  /** A small durable write: whether writes go through now. */
  probeWrite(now: number): Promise<void>;

  /**
   * Writes summaryVerify's differences into those sums, on the writer, so that they equal the
   * rollup rows again: the cells mended; null where the backend has none (reprocess).
   */
  summaryMend(q: RollupVerifyQuery): Promise<number | null>;
  /** Folds rollup rows written per batch into one row per key and month (totals unchanged). */
  compactRollups(): Promise<{ partitions: number; rowsBefore: number; rowsAfter: number }>;

  /**
   * Embedded DuckDB only: copies the store, as of one commit, into a new file at `path` while
   * ingest goes on; what the copy holds. ClickHouse is backed up with its own tools (docs/operations.md).
   */
  backupTo?(path: string): Promise<StoreSnapshot>;

  diskBytes(): Promise<number>;
  close(): Promise<void>;
}
