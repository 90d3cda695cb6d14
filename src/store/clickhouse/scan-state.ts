// The state scan: the committed raw rows of batches after a given one, streamed line by line
// (10 M rows never sit in memory at once), for rebuilding the engine's indexes.

import type { StateRow } from '../analytics-store.ts';
import type { ChConnection } from './connection.ts';
import { tsvUnescape } from './tsv.ts';

const COLUMNS = `event_id, type, occurred_at, entity_id, status, amount_minor, fee_minor, txn_id,
  merchant_key, country_key, city_key, currency_key, method_key, provider_key,
  failure_reason, customer_id, reason, metadata`;
const FIELDS = 18;

const nullable = (f: string) => (f === '\\N' ? null : tsvUnescape(f));

function stateRow(line: string): StateRow {
  const f = line.split('\t');
  // 18.16 reports a failure met mid-answer as text in the body: never take it for a row.
  if (f.length !== FIELDS) throw new Error(`state scan: unexpected line from ClickHouse: ${line.slice(0, 500)}`);
  return {
    eventId: tsvUnescape(f[0]),
    type: Number(f[1]),
    occurredAt: Number(f[2]),
    entityId: tsvUnescape(f[3]),
    status: Number(f[4]),
    amountMinor: BigInt(f[5]),
    feeMinor: BigInt(f[6]),
    txnId: nullable(f[7]),
    merchantKey: Number(f[8]),
    countryKey: Number(f[9]),
    cityKey: Number(f[10]),
    currencyKey: Number(f[11]),
    methodKey: Number(f[12]),
    providerKey: Number(f[13]),
    failureReason: nullable(f[14]),
    customerId: nullable(f[15]),
    reason: nullable(f[16]),
    metadata: nullable(f[17]),
  };
}

/**
 * Visits each committed raw row of a batch after `afterBatchId`; the number visited. The last
 * committed batch is read once, so the count and the scan cover the same batches, and the count
 * proves that the stream was read to its end.
 */
export async function scanState(ch: ChConnection, visit: (row: StateRow) => void, afterBatchId = 0): Promise<number> {
  const last = Number((await ch.select('SELECT max(batch_id) FROM ingest_batches')).columns[0][0]);
  const where = `batch_id > ${Math.trunc(afterBatchId)} AND batch_id <= ${last}`;
  const expected = Number((await ch.select(`SELECT count() FROM raw_events WHERE ${where}`)).columns[0][0]);
  const seen = await ch.streamLines(`SELECT ${COLUMNS} FROM raw_events WHERE ${where}`, (line) => visit(stateRow(line)));
  if (seen !== expected) throw new Error(`state scan read ${seen} of ${expected} raw rows`);
  return seen;
}
