// The engine's in-memory state, all derived from committed raw events: the dedupe index, the
// transaction index, the dimension dictionary and tuples. rebuildState() recomputes it from the
// store (and a snapshot, when one matches) at start-up or after a failed commit, which is what
// makes a crash harmless.

import { admitEvent } from './indexes/dedupe-index.ts';
import { applyPayment } from './indexes/txn-index.ts';
import { restoreKey, tupleId, type Dictionary } from './indexes/dimensions.ts';
import { emptyState, type IngestState } from './indexes/ingest-indexes.ts';
import { EVENT_TYPES, PAYMENT_TYPES, type NormalizedEvent, type PaymentStatus } from '../events/contract.ts';
import { fingerprint } from './fingerprint.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode } from '../reference/currencies.ts';
import { DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, valueOf } from './indexes/dimensions.ts';
import { hash96, type Hash96 } from './hash.ts';
import type { AnalyticsStore, StateRow } from '../store/analytics-store.ts';
import { readSnapshot } from './indexes/state-snapshot.ts';

/**
 * The state as of the store's last committed batch: from a snapshot (if one matches this store)
 * plus the raw events of later batches, or from every raw event.
 */
export async function rebuildState(
  store: AnalyticsStore, snapshotPath: string | null = null,
): Promise<{ state: IngestState; events: number; fromSnapshot: boolean }> {
  const meta = await store.loadMeta();
  let state = emptyState();
  const snapshotBatch = snapshotPath ? readSnapshot(snapshotPath, state, meta) : null;
  if (snapshotBatch === null) state = emptyState(meta.rawEvents);
  for (const d of await store.loadDictionary()) restoreKey(state.dict, d.dim, d.key, d.value);
  state.nextBatchId = meta.lastBatchId + 1;
  state.nextDeadLetterId = meta.lastDeadLetterId + 1;
  state.maxOccurredAt = meta.maxOccurredAt;
  state.lastCommittedAt = meta.lastCommittedAt;
  const idHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const txnHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const payments = PAYMENT_TYPES.length;
  const events = await store.scanState((r) => {
    hash96(r.eventId, idHash);
    admitEvent(state.dedupe, idHash, fingerprint(eventOfRow(r, state.dict)), Math.floor(r.occurredAt / 86_400_000));
    if (r.type >= payments) return;
    hash96(r.entityId, txnHash);
    const tuple = tupleId(state.tuples, r.merchantKey, r.countryKey, r.cityKey, r.currencyKey, r.methodKey, r.providerKey);
    applyPayment(state.txns, state.tuples, txnHash, {
      at: r.occurredAt, status: r.status, tie: idHash.h1, tuple, amount: r.amountMinor, fee: r.feeMinor,
    }, null);
  }, snapshotBatch ?? 0);
  state.dict.fresh.length = 0;
  return { state, events, fromSnapshot: snapshotBatch !== null };
}

const STATUS: Array<PaymentStatus | null> = [null, 'pending', 'succeeded', 'failed'];

/**
 * The normalized event a raw row was made from, as the parser produced it (all but the offset
 * notation, which the fingerprint leaves out): so the fingerprint need not be stored.
 */
export function eventOfRow(r: StateRow, dict: Dictionary): NormalizedEvent {
  const payment = r.type < PAYMENT_TYPES.length;
  return {
    eventId: r.eventId,
    type: EVENT_TYPES[r.type],
    occurredAt: r.occurredAt,
    offsetMinutes: 0,
    entityId: r.entityId,
    txnId: payment ? r.entityId : r.txnId,
    merchantId: valueOf(dict, DIM_MERCHANT, r.merchantKey) ?? '',
    amountMinor: r.amountMinor,
    feeMinor: r.feeMinor,
    currency: currencyCode(r.currencyKey),
    country: countryCode(r.countryKey),
    city: valueOf(dict, DIM_CITY, r.cityKey),
    paymentMethod: valueOf(dict, DIM_METHOD, r.methodKey),
    provider: valueOf(dict, DIM_PROVIDER, r.providerKey),
    status: STATUS[r.status] ?? null,
    failureReason: r.failureReason,
    customerId: r.customerId,
    reason: r.reason,
    metadata: r.metadata,
  };
}
