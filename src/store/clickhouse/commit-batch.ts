// The commit protocol, writing side. ClickHouse has no transaction across tables (nor across the
// partitions of one insert), so a batch is written as one insert per table, each row tagged with
// the batch id, and the `ingest_batches` row LAST: that row is the commit marker.
// A failure or a kill between any two writes leaves rows of a batch without a marker; readers
// ignore them (committed.ts) and recover.ts removes them before the next batch, which reuses
// the id. Raw events, rollups and the custom-event rows go as Native blocks of the batch's
// columns; the rest (a few rows a batch) as TabSeparated lines.

import type { PreparedBatch, RollupColumns } from '../analytics-store.ts';
import type { ChConnection } from './connection.ts';
import { newQueryId } from './connection.ts';
import { tsvNullable, tsvString } from './tsv.ts';
import { constantUInt32, nativeBlock } from './native-block.ts';
import { CUSTOM_WRITE_STEPS, customWrites } from './custom-writes.ts';
import { BY_CURRENCY_TABLES } from './by-currency.ts';

/** The writes of one batch; the last one commits it, after all the others went through. */
export const COMMIT_STEPS = [
  'raw_events', 'merchant_transactions', 'rollup_minute', 'rollup_hour', 'rollup_day', 'dim_values', 'dead_letters', 'dead_letter_replays',
  'source_positions', ...CUSTOM_WRITE_STEPS, 'ingest_batches',
] as const;
/** The writes of tracked custom events (PreparedBatch.custom; empty in payment batches). */
export const CUSTOM_COMMIT_STEPS = CUSTOM_WRITE_STEPS;
export type CommitStep = (typeof COMMIT_STEPS)[number];

/**
 * The tables that hold rows of uncommitted batches after a failure: every step's but the
 * marker's, and the tables materialized views fill from them (by-currency.ts).
 */
export const BATCH_TABLES: readonly string[] = [...COMMIT_STEPS.filter((s) => s !== 'ingest_batches'), ...BY_CURRENCY_TABLES];

/** Fault injection for tests; a throw fails the commit there. */
export interface CommitFaults {
  /** Called before each write is sent: a throw is a write the server refused (nothing of it written). */
  beforeWrite?(step: CommitStep): void;
  /** Called after each write that went through: a throw is a write whose answer was lost. */
  afterWrite?(step: CommitStep): void;
}

/** The query id prefix of every commit write to `database` (recovery waits for those still running). */
export function commitQueryPrefix(database: string): string {
  return `molam-commit-${database}-`;
}

interface Write {
  step: CommitStep;
  rows: number;
  /** A Native block (the large writes, built from the batch's columns) or TabSeparated lines. */
  body: { native: Buffer } | { columns: readonly string[]; lines: string[] };
}

function rawWrite(b: PreparedBatch): Write {
  const r = b.raw;
  const key = (name: string, values: Int32Array) => ({ name, type: 'Int32' as const, values });
  return {
    step: 'raw_events', rows: r.count,
    body: {
      native: nativeBlock(r.count, [
        { name: 'event_id', type: 'String', values: r.eventId },
        { name: 'type', type: 'UInt8', values: r.type },
        { name: 'occurred_at', type: 'Int64', values: r.occurredAt },
        { name: 'offset_minutes', type: 'Int16', values: r.offsetMinutes },
        { name: 'entity_id', type: 'String', values: r.entityId },
        { name: 'txn_id', type: 'Nullable(String)', values: r.txnId },
        key('merchant_key', r.merchantKey), key('country_key', r.countryKey), key('city_key', r.cityKey),
        key('currency_key', r.currencyKey), key('method_key', r.methodKey), key('provider_key', r.providerKey),
        { name: 'status', type: 'UInt8', values: r.status },
        { name: 'amount_minor', type: 'Int64', values: r.amountMinor },
        { name: 'fee_minor', type: 'Int64', values: r.feeMinor },
        { name: 'failure_reason', type: 'Nullable(String)', values: r.failureReason },
        { name: 'customer_id', type: 'Nullable(String)', values: r.customerId },
        { name: 'reason', type: 'Nullable(String)', values: r.reason },
        { name: 'metadata', type: 'Nullable(String)', values: r.metadata },
        { name: 'batch_id', type: 'UInt32', values: constantUInt32(r.count, b.batchId) },
      ]),
    },
  };
}

function txnWrite(b: PreparedBatch): Write {
  const t = b.txns;
  const int = (name: string, values: Int32Array) => ({ name, type: 'Int32' as const, values });
  const int64 = (name: string, values: BigInt64Array) => ({ name, type: 'Int64' as const, values });
  return {
    step: 'merchant_transactions', rows: t.count,
    body: {
      native: nativeBlock(t.count, [
        int('merchant_key', t.merchantKey), int64('created_at', t.createdAt), { name: 'txn_id', type: 'String', values: t.txnId },
        int64('updated_at', t.updatedAt), { name: 'status', type: 'UInt8', values: t.status },
        int64('amount_minor', t.amountMinor), int64('fee_minor', t.feeMinor), int('currency_key', t.currencyKey),
        int('country_key', t.countryKey), int('city_key', t.cityKey), int('method_key', t.methodKey),
        int('provider_key', t.providerKey), { name: 'removed', type: 'UInt8', values: t.removed },
        { name: 'batch_id', type: 'UInt32', values: constantUInt32(t.count, b.batchId) },
      ]),
    },
  };
}

function rollupWrite(step: CommitStep, r: RollupColumns, batchId: number): Write {
  const n = r.minute.length;
  const int = (name: string, values: Int32Array) => ({ name, type: 'Int32' as const, values });
  return {
    step, rows: n,
    body: {
      native: nativeBlock(n, [
        int('minute', r.minute), int('merchant_key', r.merchantKey), int('country_key', r.countryKey),
        int('city_key', r.cityKey), int('currency_key', r.currencyKey), int('method_key', r.methodKey),
        int('provider_key', r.providerKey), { name: 'kind', type: 'UInt8', values: r.kind }, int('cnt', r.cnt),
        { name: 'amount_minor', type: 'Int64', values: r.amountMinor }, { name: 'fee_minor', type: 'Int64', values: r.feeMinor },
        { name: 'batch_id', type: 'UInt32', values: constantUInt32(n, batchId) },
      ]),
    },
  };
}

const tsvWrite = (step: CommitStep, columns: readonly string[], lines: string[]): Write => ({ step, rows: lines.length, body: { columns, lines } });

/** Every write of the batch, in commit order (empty ones included, and skipped when written). */
function writesOf(b: PreparedBatch): Write[] {
  const id = b.batchId;
  const int = (n: number | null) => (n === null ? '\\N' : String(Math.trunc(n)));
  return [
    rawWrite(b),
    txnWrite(b),
    rollupWrite('rollup_minute', b.rollups.minute, id),
    rollupWrite('rollup_hour', b.rollups.hour, id),
    rollupWrite('rollup_day', b.rollups.day, id),
    tsvWrite('dim_values', ['dim', 'key', 'value', 'batch_id'], b.dictionary.map((d) => `${d.dim}\t${d.key}\t${tsvString(d.value)}\t${id}`)),
    tsvWrite('dead_letters',
      ['id', 'received_at', 'source', 'batch_index', 'code', 'message', 'event_id', 'payload', 'payload_truncated', 'batch_id'],
      b.deadLetters.map((d) => `${d.id}\t${int(d.receivedAt)}\t${tsvString(d.source)}\t${d.batchIndex}\t${tsvString(d.code)}\t`
        + `${tsvString(d.message)}\t${tsvNullable(d.eventId)}\t${tsvString(d.payload)}\t${d.payloadTruncated ? 1 : 0}\t${id}`)),
    tsvWrite('dead_letter_replays', ['id', 'replayed_at', 'replay_result', 'batch_id'],
      b.replayed.map((r) => `${r.id}\t${int(b.committedAt)}\t${tsvString(r.result)}\t${id}`)),
    tsvWrite('source_positions', ['source', 'position', 'batch_id'],
      b.positions.map((p) => `${tsvString(p.source)}\t${tsvString(p.position)}\t${id}`)),
    ...customWrites(b).map((w): Write => ({ step: w.step, rows: w.rows, body: { native: w.native } })),
    tsvWrite('ingest_batches',
      ['batch_id', 'committed_at', 'source', 'accepted', 'duplicates', 'rejected', 'max_occurred_at', 'position'],
      [`${id}\t${int(b.committedAt)}\t${tsvString(b.source)}\t${b.accepted}\t${b.duplicates}\t${b.rejected}\t`
        + `${int(b.maxOccurredAt)}\t\\N`]), // positions: the source_positions rows (migration 3)
  ];
}

/**
 * Writes the batch: the data inserts side by side (they are independent, and a commit then
 * takes one round trip of the slowest instead of the sum), then, once all went through, the
 * marker. Any failure leaves only rows that recover.ts removes; it is reported once every
 * insert has settled, so none is still running when recovery starts.
 */
export async function writeBatch(ch: ChConnection, b: PreparedBatch, faults?: CommitFaults): Promise<void> {
  const prefix = commitQueryPrefix(ch.database);
  const write = async (w: Write) => {
    faults?.beforeWrite?.(w.step);
    const queryId = newQueryId(`${prefix}${b.batchId}-${w.step}`);
    if ('native' in w.body) await ch.insertNative(w.step, w.body.native, queryId);
    else await ch.insertTsv(w.step, w.body.columns, w.body.lines.join('\n') + '\n', queryId);
    faults?.afterWrite?.(w.step);
  };
  const writes = writesOf(b).filter((w) => w.rows > 0);
  const marker = writes.pop()!;
  const settled = await Promise.allSettled(writes.map(write));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  await write(marker);
}
