// The engine's in-memory state, all derived from committed raw events: the dedupe index, the
// transaction index, the dimension dictionary and tuples, and the counters that continue the
// store's sequences. ingest-state.ts rebuilds it from the store; state-snapshot.ts saves and
// loads it.

import { createDedupeIndex, type DedupeIndex } from './dedupe-index.ts';
import { createTxnIndex, type TxnIndex } from './txn-index.ts';
import { createDictionary, createTuples, type Dictionary, type Tuples } from './dimensions.ts';

export interface IngestState {
  dedupe: DedupeIndex;
  txns: TxnIndex;
  dict: Dictionary;
  tuples: Tuples;
  nextBatchId: number;
  nextDeadLetterId: number;
  maxOccurredAt: number | null;
  lastCommittedAt: number | null;
}

export function emptyState(expectedEvents = 0): IngestState {
  return {
    dedupe: createDedupeIndex(expectedEvents),
    txns: createTxnIndex(Math.ceil(expectedEvents * 0.6)),
    dict: createDictionary(),
    tuples: createTuples(),
    nextBatchId: 1,
    nextDeadLetterId: 1,
    maxOccurredAt: null,
    lastCommittedAt: null,
  };
}
