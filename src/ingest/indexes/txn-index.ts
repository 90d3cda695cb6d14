// Transaction state: a txn_id counts once, in the minute of its creation (the earliest
// occurred_at among its payment events), with the status, amount and fee of its latest event.
// "Latest" is a total order — (occurred_at, final beats pending, event hash) — so the outcome
// is the same whatever order and however often the events arrive. Applying an event emits the
// rollup deltas that move the transaction's contribution from its old place to its new one.

import { claimSlot, createHashTable, retain, tableBytes, type HashTable } from './hash-table.ts';
import { addDelta, type DeltaAccumulator } from './delta-accumulator.ts';
import { mergeTuples, type Tuples } from './dimensions.ts';
import { KIND_PENDING } from '../../events/rollup-kinds.ts';
import type { Hash96 } from '../hash.ts';

type Cols = {
  createdAt: Float64Array;
  createdTie: Uint32Array;
  createdTuple: Uint32Array;
  winAt: Float64Array;
  winStatus: Uint8Array; // 1 pending, 2 succeeded, 3 failed (= rollup kind)
  winTie: Uint32Array;
  winTuple: Uint32Array;
  amount: BigInt64Array;
  fee: BigInt64Array;
};
export type TxnIndex = HashTable<Cols>;

export function createTxnIndex(expected = 0): TxnIndex {
  return createHashTable<Cols>({
    createdAt: Float64Array,
    createdTie: Uint32Array,
    createdTuple: Uint32Array,
    winAt: Float64Array,
    winStatus: Uint8Array,
    winTie: Uint32Array,
    winTuple: Uint32Array,
    amount: BigInt64Array,
    fee: BigInt64Array,
  }, expected);
}

/** One payment event, reduced to what the transaction's state needs. */
export interface PaymentFact {
  at: number; // occurred_at, epoch ms
  status: number; // 1 pending, 2 succeeded, 3 failed
  tie: number; // 32-bit hash of event_id: the last tie-breaker
  tuple: number;
  amount: bigint;
  fee: bigint;
}

function beats(at: number, status: number, tie: number, wAt: number, wStatus: number, wTie: number): boolean {
  if (at !== wAt) return at > wAt;
  const rank = status === KIND_PENDING ? 0 : 1;
  const wRank = wStatus === KIND_PENDING ? 0 : 1;
  if (rank !== wRank) return rank > wRank;
  return tie > wTie;
}

function setCreation(c: Cols, slot: number, f: PaymentFact): void {
  c.createdAt[slot] = f.at;
  c.createdTie[slot] = f.tie;
  c.createdTuple[slot] = f.tuple;
}

function setWinner(c: Cols, slot: number, f: PaymentFact): void {
  c.winAt[slot] = f.at;
  c.winStatus[slot] = f.status;
  c.winTie[slot] = f.tie;
  c.winTuple[slot] = f.tuple;
  c.amount[slot] = f.amount;
  c.fee[slot] = f.fee;
}

/** Folds a payment event into its transaction; adds the resulting deltas to `acc` when given. */
export function applyPayment(
  index: TxnIndex,
  tuples: Tuples,
  txn: Hash96,
  f: PaymentFact,
  acc: DeltaAccumulator | null,
): void {
  const { slot, fresh } = claimSlot(index, txn);
  const c = index.cols;
  if (fresh) {
    setCreation(c, slot, f);
    setWinner(c, slot, f);
    if (acc) addDelta(acc, Math.floor(f.at / 60000), f.status, f.tuple, 1, f.amount, f.fee);
    return;
  }
  const isEarlier = f.at < c.createdAt[slot] || (f.at === c.createdAt[slot] && f.tie < c.createdTie[slot]);
  const isLater = beats(f.at, f.status, f.tie, c.winAt[slot], c.winStatus[slot], c.winTie[slot]);
  if (!isEarlier && !isLater) return;
  const oldMinute = Math.floor(c.createdAt[slot] / 60000);
  const oldKind = c.winStatus[slot];
  const oldTuple = mergeTuples(tuples, c.winTuple[slot], c.createdTuple[slot]);
  const oldAmount = c.amount[slot];
  const oldFee = c.fee[slot];
  if (isEarlier) setCreation(c, slot, f);
  if (isLater) setWinner(c, slot, f);
  if (!acc) return;
  const newMinute = Math.floor(c.createdAt[slot] / 60000);
  const newKind = c.winStatus[slot];
  const newTuple = mergeTuples(tuples, c.winTuple[slot], c.createdTuple[slot]);
  const newAmount = c.amount[slot];
  const newFee = c.fee[slot];
  if (
    newMinute === oldMinute &&
    newKind === oldKind &&
    newTuple === oldTuple &&
    newAmount === oldAmount &&
    newFee === oldFee
  ) {
    return;
  }
  addDelta(acc, oldMinute, oldKind, oldTuple, -1, -oldAmount, -oldFee);
  addDelta(acc, newMinute, newKind, newTuple, 1, newAmount, newFee);
}

/** Forgets transactions whose latest event is before `cutoffMs` (retention deletes them whole). */
export function evictTxnsBefore(index: TxnIndex, cutoffMs: number): number {
  const latest = index.cols.winAt;
  return retain(index, (slot) => latest[slot] >= cutoffMs);
}

export function txnBytes(index: TxnIndex): number {
  return tableBytes(index);
}
