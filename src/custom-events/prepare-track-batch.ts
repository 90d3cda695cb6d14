// Turns checked tracked events into everything one commit writes (the custom-event twin of
// src/ingest/prepare-batch.ts, run on the engine's thread so it shares its batch ids, group
// commit and durability): each event is deduplicated by event_id; accepted ones become raw rows
// and rollup rows for each grain (1m, 1h, 1d): count, sum, min, max per measure, quantile-sketch
// bins per measure, distinct-user registers; refused ones become dead letters with their text.
// Pure CPU work on the in-memory state, no I/O.

import { binOf } from '../sketch/quantile-sketch.ts';
import { registerOf } from '../sketch/distinct-sketch.ts';
import { emptyRaw } from '../ingest/batch-columns.ts';
import { emptyTxnRows } from '../ingest/txn-rows.ts';
import { MAX_DEAD_LETTER_PAYLOAD, type ItemResult, type Prepared } from '../ingest/prepare-batch.ts';
import type { CustomBatch, CustomGrain, CustomRollupKey, CustomStatRow, DeadLetter, PreparedBatch, RollupColumns } from '../store/analytics-store.ts';
import { CUSTOM_GRAINS } from '../store/analytics-store.ts';
import { cappedValue, type TrackState } from './track-state.ts';
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

/** Rollup rows of one batch. Keys are interned to small integers (short map keys, little garbage). */
class Rollups {
  private keyIds = new Map<string, number>();
  private keys: CustomRollupKey[] = [];
  private stats = new Map<string, CustomStatRow>();
  private bins = new Map<string, { key: number; measure: string; bin: number; cnt: number }>();
  private users = new Map<number, { key: number; register: number; rank: number }>();

  private keyOf(grain: CustomGrain, bucket: number, eventType: string, dims: string): number {
    const k = `${grain}${SEP}${bucket}${SEP}${eventType}${SEP}${dims}`;
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push({ grain, bucket, eventType, dims });
      this.keyIds.set(k, id);
    }
    return id;
  }

  add(e: TrackedEvent, dims: string): void {
    const minute = Math.floor(e.occurredAt / 60_000);
    const reg = e.userId === null ? null : registerOf(e.userId);
    for (const grain of CUSTOM_GRAINS) {
      const key = this.keyOf(grain, Math.floor(minute / grain) * grain, e.eventType, dims);
      this.stat(key, '', 0, false);
      for (const m of e.measures) {
        this.stat(key, m.name, m.value, m.minor);
        const b = binOf(m.value);
        const bk = `${key}${SEP}${m.name}${SEP}${b}`;
        const row = this.bins.get(bk);
        if (row) row.cnt++;
        else this.bins.set(bk, { key, measure: m.name, bin: b, cnt: 1 });
      }
      if (reg) {
        // 2^14 registers: one integer per (key, register).
        const uk = key * 16_384 + reg.register;
        const row = this.users.get(uk);
        if (!row) this.users.set(uk, { key, register: reg.register, rank: reg.rank });
        else if (reg.rank > row.rank) row.rank = reg.rank;
      }
    }
  }

  private stat(key: number, measure: string, value: number, minor: boolean): void {
    const sk = `${key}${SEP}${measure}`;
    const row = this.stats.get(sk);
    if (!row) {
      const v = measure === '' ? 0 : value;
      const big = minor ? BigInt(value) : 0n;
      this.stats.set(sk, {
        ...this.keys[key], measure, cnt: 1,
        sumValue: minor ? 0 : v, minValue: minor ? 0 : v, maxValue: minor ? 0 : v, sumMinor: big, minMinor: big, maxMinor: big,
      });
      return;
    }
    row.cnt++;
    if (measure === '') return;
    if (minor) {
      const big = BigInt(value);
      row.sumMinor += big;
      if (big < row.minMinor) row.minMinor = big;
      if (big > row.maxMinor) row.maxMinor = big;
    } else {
      row.sumValue += value;
      if (value < row.minValue) row.minValue = value;
      if (value > row.maxValue) row.maxValue = value;
    }
  }

  rows(): Omit<CustomBatch, 'raw'> {
    return {
      stats: [...this.stats.values()],
      bins: [...this.bins.values()].map((b) => ({ ...this.keys[b.key], measure: b.measure, bin: b.bin, cnt: b.cnt })),
      users: [...this.users.values()].map((u) => ({ ...this.keys[u.key], register: u.register, rank: u.rank })),
    };
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
    if (seen) {
      if (seen.fingerprint === e.fingerprint) {
        duplicates++;
        results[i] = DUPLICATE;
      } else {
        const message = `event_id ${e.eventId} was already tracked with different content; the first one stands`;
        letter(i, 'duplicate_conflict', message, e.text, e.eventId);
        results[i] = { status: 'rejected', code: 'duplicate_conflict', message };
      }
      return;
    }
    state.seen.set(e.eventId, { fingerprint: e.fingerprint, day: Math.floor(e.occurredAt / 86_400_000) });
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
    custom: { raw, ...rollups.rows() },
  };
  return { batch, results };
}
