// Raw events as stored: a keyset page (newest first by occurred_at, event_id), counts over a
// range by type and kind, one event by id. Each row's rollup kind is derived, so the `type` and
// `status` filters of the rollups apply unchanged.

import type { StoreBackend, Row, BackendKind } from '../backend.ts';
import type { StateRow } from '../analytics-store.ts';
import type { RowFilter } from '../query-shapes.ts';
import { PAYMENT_TYPES, TYPE_CODE } from '../../events/contract.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_REFUND } from '../../events/rollup-kinds.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { filterSql } from './shape-sql.ts';
import { committedRows } from './committed-rows.ts';

export interface RawEventRange {
  /** occurred_at in [from, to), epoch milliseconds. */
  from: number;
  to: number;
  filters: RowFilter[];
  /** Rows whose txn_id is this id, or payments whose own id (entity_id) is. */
  txnId?: string;
  entityId?: string;
}

export interface RawEventPageQuery extends RawEventRange {
  /** Rows strictly before this (occurred_at, event_id) in the page order. */
  before?: { occurredAt: number; eventId: string };
  limit: number;
}

/** A raw event as stored: what the state rebuild reads, and the producer's offset notation. */
export interface RawEventRow extends StateRow {
  offsetMinutes: number;
}

export interface RawEventGroup {
  type: number;
  kind: number;
  count: number;
  first: number;
  last: number;
}

const PAYMENT_TYPE_COUNT = PAYMENT_TYPES.length; // payment type codes come first

// A raw row's rollup kind (payments: their status).
const KIND_SQL = `CASE type WHEN ${TYPE_CODE.refund_created} THEN ${KIND_REFUND} WHEN ${TYPE_CODE.dispute_created} THEN ${KIND_DISPUTE}`
  + ` WHEN ${TYPE_CODE.payout_created} THEN ${KIND_PAYOUT} WHEN ${TYPE_CODE['payout.settled']} THEN ${KIND_PAYOUT_SETTLED} ELSE status END`;

const COLUMNS = `event_id, type, occurred_at, offset_minutes, entity_id, txn_id, merchant_key, country_key, city_key,
  currency_key, method_key, provider_key, status, amount_minor, fee_minor, failure_reason, customer_id, reason, metadata`;

/** The rows of the range with their kind, as a derived table both backends read the same way. */
function source(kind: BackendKind, q: RawEventRange): string {
  const where = [
    `occurred_at >= ${sqlInt(Math.trunc(q.from))}`, `occurred_at < ${sqlInt(Math.trunc(q.to))}`, committedRows(kind),
  ];
  if (q.txnId !== undefined) {
    const id = sqlString(q.txnId, kind);
    where.push(`(txn_id = ${id} OR (type < ${PAYMENT_TYPE_COUNT} AND entity_id = ${id}))`);
  }
  if (q.entityId !== undefined) where.push(`entity_id = ${sqlString(q.entityId, kind)}`);
  return `(SELECT ${COLUMNS}, ${KIND_SQL} AS kind FROM raw_events WHERE ${where.join(' AND ')})`;
}

function filtersOf(q: RawEventRange): string {
  return q.filters.length ? q.filters.map(filterSql).join(' AND ') : '1 = 1';
}

const SQL = {
  page: {
    duckdb: (q: RawEventPageQuery) => pageSql('duckdb', q),
    clickhouse: (q: RawEventPageQuery) => pageSql('clickhouse', q),
  },
  stats: {
    duckdb: (q: RawEventRange) => `SELECT type, kind, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last
      FROM ${source('duckdb', q)} AS e WHERE ${filtersOf(q)} GROUP BY type, kind`,
    clickhouse: (q: RawEventRange) => `SELECT type, kind, count() AS n, min(occurred_at) AS first, max(occurred_at) AS last
      FROM ${source('clickhouse', q)} WHERE ${filtersOf(q)} GROUP BY type, kind`,
  },
  merchants: {
    duckdb: (q: RawEventRange) => `SELECT count(DISTINCT merchant_key) AS n FROM ${source('duckdb', q)} AS e WHERE ${filtersOf(q)}`,
    clickhouse: (q: RawEventRange) => `SELECT uniqExact(merchant_key) AS n FROM ${source('clickhouse', q)} WHERE ${filtersOf(q)}`,
  },
  byId: {
    duckdb: (id: string) => `SELECT ${COLUMNS} FROM raw_events WHERE event_id = ${sqlString(id, 'duckdb')} LIMIT 1`,
    // The same event id is stored once (the engine dedupes), so LIMIT 1 picks no particular copy.
    clickhouse: (id: string) => `SELECT ${COLUMNS} FROM raw_events
      WHERE event_id = ${sqlString(id, 'clickhouse')} AND ${committedRows('clickhouse')} LIMIT 1`,
  },
};

function pageSql(kind: BackendKind, q: RawEventPageQuery): string {
  const where = [filtersOf(q)];
  if (q.before) {
    const at = sqlInt(Math.trunc(q.before.occurredAt));
    where.push(`(occurred_at < ${at} OR (occurred_at = ${at} AND event_id < ${sqlString(q.before.eventId, kind)}))`);
  }
  return `SELECT ${COLUMNS} FROM ${source(kind, q)}${kind === 'duckdb' ? ' AS e' : ''}
    WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, event_id DESC LIMIT ${sqlInt(Math.trunc(q.limit))}`;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function rowOf(r: Row): RawEventRow {
  return {
    eventId: String(r.event_id),
    type: Number(r.type),
    occurredAt: Number(r.occurred_at),
    offsetMinutes: Number(r.offset_minutes),
    entityId: String(r.entity_id),
    txnId: str(r.txn_id),
    merchantKey: Number(r.merchant_key),
    countryKey: Number(r.country_key),
    cityKey: Number(r.city_key),
    currencyKey: Number(r.currency_key),
    methodKey: Number(r.method_key),
    providerKey: Number(r.provider_key),
    status: Number(r.status),
    amountMinor: BigInt(r.amount_minor as bigint),
    feeMinor: BigInt(r.fee_minor as bigint),
    failureReason: str(r.failure_reason),
    customerId: str(r.customer_id),
    reason: str(r.reason),
    metadata: str(r.metadata),
  };
}

export async function rawEventPage(b: StoreBackend, q: RawEventPageQuery): Promise<RawEventRow[]> {
  return (await b.select(SQL.page[b.kind](q))).map(rowOf);
}

export async function rawEventStats(b: StoreBackend, q: RawEventRange): Promise<{ groups: RawEventGroup[]; merchants: number }> {
  const [groups, [m]] = await Promise.all([b.select(SQL.stats[b.kind](q)), b.select(SQL.merchants[b.kind](q))]);
  return {
    groups: groups.map((g) => ({ type: Number(g.type), kind: Number(g.kind), count: Number(g.n), first: Number(g.first), last: Number(g.last) })),
    merchants: Number(m.n),
  };
}

export async function rawEventById(b: StoreBackend, eventId: string): Promise<RawEventRow | null> {
  const rows = await b.select(SQL.byId[b.kind](eventId));
  return rows.length ? rowOf(rows[0]) : null;
}
