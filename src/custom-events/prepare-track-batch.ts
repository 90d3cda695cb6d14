// Turns checked tracked events into everything one commit writes (the custom-event twin of
// src/ingest/prepare-batch.ts, run on the engine's thread so it shares its batch ids, group
// commit and durability): each event is deduplicated by event_id; accepted ones become raw rows
// and rollup rows for each grain (1m, 1h, 1d): count, sum, min, max per measure, quantile-sketch
// bins per measure, distinct-user registers; refused ones become dead letters with their text.
// Pure CPU work on the in-memory state, no I/O.

import { binOf } from '../sketch/quantile-sketch.ts';
import { registerOf } from '../sketch/distinct-sketch.ts';
import { emptyRaw, setInt64 } from '../ingest/batch-columns.ts';
import { emptyTxnRows } from '../ingest/txn-rows.ts';
import { MAX_DEAD_LETTER_PAYLOAD, type ItemResult, type Prepared } from '../ingest/prepare-batch.ts';
import type { CustomBatch, DeadLetter, PreparedBatch, RollupColumns } from '../store/analytics-store.ts';
import { CUSTOM_GRAINS } from '../store/analytics-store.ts';
import { cappedValue, seenEntry, seenFingerprint, type TrackState } from './track-state.ts';
import type { TrackItem, TrackedEvent } from './tracked-event.ts';

export const TRACK_SOURCE = 'track';

/** The engine's counters a batch draws from (IngestState holds them). */
export interface BatchIds { nextBatchId: number; nextDeadLetterId: number }

const ACCEPTED: ItemResult = Object.freeze({ status: 'accepted' });
const DUPLICATE: ItemResult = Object.freeze({ status: 'duplicate' });
const SEP = '\u0000'; // never inside a key part (dims is JSON, which escapes it)

function emptyRollup(): RollupColumns {
  const z32 = new Int32Array(0);
  return {
    minute: z32, merchantKey: z32, countryKey: z32, cityKey: z32, currencyKey: z32, methodKey: z32, providerKey: z32,
    kind: new Uint8Array(0), cnt: z32, amountMinor: new BigInt64Array(0), feeMinor: new BigInt64Array(0),
  };
}

// Composite numeric map keys (exact below 2^53): a rollup key is (tuple, grain, bucket), a stats
// row (key, measure), a bin row (stats row, bin), a users row (key, register).
const BUCKET_SPAN = 2 ** 26; // epoch minutes up to the year 2097
const MEASURE_SPAN = 2 ** 20; // distinct measure names in one batch
const BIN_SPAN = 2 ** 18; // |bin| ≤ 2 * BIN_OFFSET
const BIN_SHIFT = 2 ** 17;
const REGISTERS = 16_384; // 2^14 distinct-user registers

/**
 * The rollup rows of one batch, built straight into columns: each key, stats row, bin and
 * register found through a numeric map key, its values kept in plain number arrays, typed at the
 * end. A money sum that would leave the exact range of a double starts a new stats row for the
 * same key and measure (the store sums rows), so sums stay exact without BigInt.
 */
class Rollups {
  private tupleIds = new Map<string, number>();
  private tuples: Array<{ eventType: string; dims: string }> = [];
  private keyIds = new Map<number, number>();
  private keyGrain: number[] = [];
  private keyBucket: number[] = [];
  private keyTuple: number[] = [];
  private measureIds = new Map<string, number>([['', 0]]);
  private measureNames: string[] = [''];

  private statIds = new Map<number, number>();
  private statKey: number[] = [];
  private statMeasure: number[] = [];
  private statMinor: boolean[] = [];
  private statCnt: number[] = [];
  private statSum: number[] = [];
  private statMin: number[] = [];
  private statMax: number[] = [];

  private binIds = new Map<number, number>();
  private binStat: number[] = [];
  private binValue: number[] = [];
  private binCnt: number[] = [];

  private userIds = new Map<number, number>();
  private userKey: number[] = [];
  private userRegister: number[] = [];
  private userRank: number[] = [];

  add(e: TrackedEvent, dims: string): void {
    const tk = `${e.eventType}${SEP}${dims}`;
    let tuple = this.tupleIds.get(tk);
    if (tuple === undefined) {
      tuple = this.tuples.length;
      this.tuples.push({ eventType: e.eventType, dims });
      this.tupleIds.set(tk, tuple);
    }
    const measures = e.measures;
    const measureIds = measures.map((m) => this.measureId(m.name));
    const bins = measures.map((m) => binOf(m.value) + BIN_SHIFT);
    const minute = Math.floor(e.occurredAt / 60_000);
    const reg = e.userId === null ? null : registerOf(e.userId);
    for (let g = 0; g < CUSTOM_GRAINS.length; g++) {
      const grain = CUSTOM_GRAINS[g];
      const key = this.keyOf(tuple, g, grain, Math.floor(minute / grain) * grain);
      this.stat(key, 0, 0, false);
      for (let i = 0; i < measures.length; i++) {
        const m = measures[i];
        const stat = this.stat(key, measureIds[i], m.value, m.minor);
        const bk = stat * BIN_SPAN + bins[i];
        const row = this.binIds.get(bk);
        if (row !== undefined) this.binCnt[row]++;
        else {
          this.binIds.set(bk, this.binStat.length);
          this.binStat.push(stat);
          this.binValue.push(bins[i] - BIN_SHIFT);
          this.binCnt.push(1);
        }
      }
      if (reg) {
        const uk = key * REGISTERS + reg.register;
        const row = this.userIds.get(uk);
        if (row === undefined) {
          this.userIds.set(uk, this.userKey.length);
          this.userKey.push(key);
          this.userRegister.push(reg.register);
          this.userRank.push(reg.rank);
        } else if (reg.rank > this.userRank[row]) this.userRank[row] = reg.rank;
      }
    }
  }

  private measureId(name: string): number {
    let id = this.measureIds.get(name);
    if (id === undefined) {
      id = this.measureNames.length;
      if (id >= MEASURE_SPAN) throw new RangeError(`more than ${MEASURE_SPAN} measure names in one batch`);
      this.measureNames.push(name);
      this.measureIds.set(name, id);
    }
    return id;
  }

  private keyOf(tuple: number, g: number, grain: number, bucket: number): number {
    const k = (tuple * CUSTOM_GRAINS.length + g) * BUCKET_SPAN + bucket;
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keyGrain.length;
      this.keyGrain.push(grain);
      this.keyBucket.push(bucket);
      this.keyTuple.push(tuple);
      this.keyIds.set(k, id);
    }
    return id;
  }

  /** Adds a value to the (key, measure) stats row (measure 0: the event itself); returns the row. */
  private stat(key: number, measure: number, value: number, minor: boolean): number {
    const sk = key * MEASURE_SPAN + measure;
    const row = this.statIds.get(sk);
    if (row !== undefined && !(minor && !Number.isSafeInteger(this.statSum[row] + value))) {
      this.statCnt[row]++;
      if (measure === 0) return row;
      this.statSum[row] += value;
      if (value < this.statMin[row]) this.statMin[row] = value;
      if (value > this.statMax[row]) this.statMax[row] = value;
      return row;
    }
    // A new row, or a money sum about to leave the exact range: a fresh row takes it on.
    const id = this.statKey.length;
    this.statIds.set(sk, id);
    this.statKey.push(key);
    this.statMeasure.push(measure);
    this.statMinor.push(minor);
    this.statCnt.push(1);
    const v = measure === 0 ? 0 : value;
    this.statSum.push(v);
    this.statMin.push(v);
    this.statMax.push(v);
    return id;
  }

  columns(): Omit<CustomBatch, 'raw'> {
    const k = this.keyGrain.length;
    const keys = { length: k, grain: Int16Array.from(this.keyGrain), bucket: Int32Array.from(this.keyBucket), eventType: new Array<string>(k), dims: new Array<string>(k) };
    for (let i = 0; i < k; i++) {
      const t = this.tuples[this.keyTuple[i]];
      keys.eventType[i] = t.eventType;
      keys.dims[i] = t.dims;
    }
    const n = this.statKey.length;
    const stats = {
      length: n, key: Int32Array.from(this.statKey), measure: new Array<string>(n), cnt: Int32Array.from(this.statCnt),
      sumValue: new Float64Array(n), minValue: new Float64Array(n), maxValue: new Float64Array(n),
      sumMinor: new BigInt64Array(n), minMinor: new BigInt64Array(n), maxMinor: new BigInt64Array(n),
    };
    for (let i = 0; i < n; i++) {
      stats.measure[i] = this.measureNames[this.statMeasure[i]];
      if (this.statMinor[i]) {
        setInt64(stats.sumMinor, i, this.statSum[i]);
        setInt64(stats.minMinor, i, this.statMin[i]);
        setInt64(stats.maxMinor, i, this.statMax[i]);
      } else {
        stats.sumValue[i] = this.statSum[i];
        stats.minValue[i] = this.statMin[i];
        stats.maxValue[i] = this.statMax[i];
      }
    }
    const b = this.binStat.length;
    const bins = { length: b, key: new Int32Array(b), measure: new Array<string>(b), bin: Int32Array.from(this.binValue), cnt: Int32Array.from(this.binCnt) };
    for (let i = 0; i < b; i++) {
      const stat = this.binStat[i];
      bins.key[i] = this.statKey[stat];
      bins.measure[i] = stats.measure[stat];
    }
    const users = { length: this.userKey.length, key: Int32Array.from(this.userKey), register: Int16Array.from(this.userRegister), rank: Uint8Array.from(this.userRank) };
    return { keys, stats, bins, users };
  }
}

/** The dimension tuple of an event as aggregated: JSON, keys sorted, values capped. */
function dimsOf(state: TrackState, e: TrackedEvent): string {
  const out: Record<string, string> = {};
  for (const d of [...e.dimensions].sort((a, b) => (a.name < b.name ? -1 : 1))) out[d.name] = cappedValue(state, e.eventType, d.name, d.value, d.cap);
  return JSON.stringify(out);
}

/** `itemIndex`: each item's index within its own submission, when several were merged. */
export function prepareTrackBatch(ids: BatchIds, state: TrackState, items: readonly TrackItem[], now: number, itemIndex?: Int32Array): Prepared {
  const results: ItemResult[] = new Array(items.length);
  const deadLetters: DeadLetter[] = [];
  const raw: CustomBatch['raw'] = [];
  const rollups = new Rollups();
  let duplicates = 0;
  const letter = (i: number, code: string, message: string, text: string, eventId: string | null) => {
    const truncated = text.length > MAX_DEAD_LETTER_PAYLOAD;
    deadLetters.push({
      id: ids.nextDeadLetterId++, receivedAt: now, source: TRACK_SOURCE, batchIndex: itemIndex?.[i] ?? i, code, message, eventId,
      payload: truncated ? text.slice(0, MAX_DEAD_LETTER_PAYLOAD) : text, payloadTruncated: truncated,
    });
  };
  items.forEach((e, i) => {
    if (!e.ok) {
      letter(i, e.code, e.message, e.text, e.eventId);
      results[i] = e.field === undefined ? { status: 'rejected', code: e.code, message: e.message } : { status: 'rejected', code: e.code, message: e.message, field: e.field };
      return;
    }
    const seen = state.seen.get(e.eventId);
    if (seen !== undefined) {
      if (seenFingerprint(seen) === e.fingerprint) {
        duplicates++;
        results[i] = DUPLICATE;
      } else {
        const message = `event_id ${e.eventId} was already tracked with different content; the first one stands`;
        letter(i, 'duplicate_conflict', message, e.text, e.eventId);
        results[i] = { status: 'rejected', code: 'duplicate_conflict', message };
      }
      return;
    }
    state.seen.set(e.eventId, seenEntry(e.fingerprint, e.occurredAt));
    raw.push({
      eventId: e.eventId, eventType: e.eventType, occurredAt: e.occurredAt, userId: e.userId, sessionId: e.sessionId,
      properties: e.properties, definitionVersion: e.version, fingerprint: e.fingerprint,
    });
    rollups.add(e, dimsOf(state, e));
    results[i] = ACCEPTED;
  });
  const batch: PreparedBatch = {
    batchId: ids.nextBatchId++,
    committedAt: now,
    source: TRACK_SOURCE,
    positions: [],
    raw: emptyRaw(0),
    rollups: { minute: emptyRollup(), hour: emptyRollup(), day: emptyRollup() },
    txns: emptyTxnRows(),
    dictionary: [],
    deadLetters,
    replayed: [],
    accepted: raw.length,
    duplicates,
    rejected: deadLetters.length,
    // The payment events' freshness (asOf) is not moved by custom events.
    maxOccurredAt: null,
    custom: { raw, ...rollups.columns() },
  };
  return { batch, results };
}
