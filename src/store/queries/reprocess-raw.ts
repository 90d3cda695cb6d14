// The raw events a rebuild of the rollups over [fromMs, toMs) needs: the other events of the
// range, and every payment event of each transaction with a payment event in the range (a
// transaction counts in the minute of its earliest event, with its latest event's status,
// amount and fee, so its events after the range decide its contribution too). Only what the
// aggregation reads, as StateRow-like facts.

import type { StoreBackend } from '../backend.ts';
import type { DimensionKeys } from '../analytics-store.ts';
import { PAYMENT_TYPES } from '../../events/contract.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface RawFact extends DimensionKeys {
  eventId: string;
  type: number;
  occurredAt: number;
  entityId: string;
  status: number;
  amountMinor: bigint;
  feeMinor: bigint;
}

const P = PAYMENT_TYPES.length;
const COLS = `event_id, type, occurred_at, entity_id, status, amount_minor, fee_minor,
  merchant_key, country_key, city_key, currency_key, method_key, provider_key`;

const where = (from: number, to: number, kind: 'duckdb' | 'clickhouse') => `${committedRows(kind)} AND (
    (type >= ${P} AND occurred_at >= ${sqlInt(from)} AND occurred_at < ${sqlInt(to)})
    OR (type < ${P} AND entity_id IN (SELECT entity_id FROM raw_events WHERE ${committedRows(kind)}
      AND type < ${P} AND occurred_at >= ${sqlInt(from)} AND occurred_at < ${sqlInt(to)})))`;

const SQL = {
  duckdb: (from: number, to: number) => `SELECT ${COLS} FROM raw_events WHERE ${where(from, to, 'duckdb')}`,
  clickhouse: (from: number, to: number) => `SELECT ${COLS} FROM raw_events WHERE ${where(from, to, 'clickhouse')}`,
};

export async function reprocessRaw(b: StoreBackend, fromMs: number, toMs: number): Promise<RawFact[]> {
  return (await b.select(SQL[b.kind](fromMs, toMs))).map((r) => ({
    eventId: String(r.event_id), type: Number(r.type), occurredAt: Number(r.occurred_at), entityId: String(r.entity_id),
    status: Number(r.status), amountMinor: BigInt(r.amount_minor as bigint), feeMinor: BigInt(r.fee_minor as bigint),
    merchantKey: Number(r.merchant_key), countryKey: Number(r.country_key), cityKey: Number(r.city_key),
    currencyKey: Number(r.currency_key), methodKey: Number(r.method_key), providerKey: Number(r.provider_key),
  }));
}
