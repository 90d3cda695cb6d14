// The dedupe index: which event_ids were committed, and with what content. An event_id seen
// again with the same content fingerprint is a duplicate; with another, a conflict. Entries
// live as long as raw events do, so the horizon is the raw retention (docs/events.md).

import { claimSlot, createHashTable, retain, tableBytes, type HashTable } from './hash-table.ts';
import type { Hash96 } from '../hash.ts';

type Cols = { fp: Uint32Array; day: Uint16Array };
export type DedupeIndex = HashTable<Cols>;
export type DedupeVerdict = 'new' | 'duplicate' | 'conflict';

export function createDedupeIndex(expected = 0): DedupeIndex {
  return createHashTable<Cols>({ fp: Uint32Array, day: Uint16Array }, expected);
}

/** Classifies an event and records it when new. `day` = UTC days since epoch of occurred_at. */
export function admitEvent(index: DedupeIndex, id: Hash96, fp: number, day: number): DedupeVerdict {
  const { slot, fresh } = claimSlot(index, id);
  if (fresh) {
    index.cols.fp[slot] = fp;
    index.cols.day[slot] = day;
    return 'new';
  }
  return index.cols.fp[slot] === fp ? 'duplicate' : 'conflict';
}

/** Drops entries of events older than `day` (their raw rows expired). */
export function evictBefore(index: DedupeIndex, day: number): number {
  const days = index.cols.day;
  return retain(index, (slot) => days[slot] >= day);
}

export function dedupeBytes(index: DedupeIndex): number {
  return tableBytes(index);
}
