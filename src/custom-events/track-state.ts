// The track ingest's in-memory state, all derived from committed rows (rebuilt at start and
// after a failed commit, as the payment engine's state is): the dedupe index (event id → content
// fingerprint and day) and, per event type and dimension, the values already aggregated (the
// cardinality cap: past it, a new value is grouped as `(other)`).

import type { AnalyticsStore } from '../store/analytics-store.ts';

export const OTHER = '(other)';

export interface TrackState {
  /** event id → its content fingerprint and UTC day, one number (seenEntry): no object per id. */
  seen: Map<string, number>;
  /** event type → dimension → values aggregated so far. */
  values: Map<string, Map<string, Set<string>>>;
}

// The day is stored biased: UTC days from 1970 in [-2^20, 2^20), the years -901 to 4840
// (accepted timestamps lie within CUSTOM_RAW_RETENTION_DAYS, at most 100 years, of now).
const DAY_SPAN = 2 ** 21;
const DAY_BIAS = 2 ** 20;

/** A dedupe entry: the 32-bit fingerprint and the day in one exact double. */
export function seenEntry(fingerprint: number, occurredAt: number): number {
  const day = Math.floor(occurredAt / 86_400_000) + DAY_BIAS;
  if (!(day >= 0 && day < DAY_SPAN)) throw new RangeError(`a tracked event's day out of range: ${occurredAt}`);
  return fingerprint * DAY_SPAN + day;
}
export const seenFingerprint = (entry: number): number => Math.floor(entry / DAY_SPAN);
const seenDay = (entry: number): number => (entry % DAY_SPAN) - DAY_BIAS;

export function emptyTrackState(): TrackState {
  return { seen: new Map(), values: new Map() };
}

/** A dimension's value as aggregated: itself while the cap has room (or it was seen), else `(other)`. */
export function cappedValue(state: TrackState, eventType: string, dimension: string, value: string, cap: number): string {
  let dims = state.values.get(eventType);
  if (!dims) state.values.set(eventType, (dims = new Map()));
  let values = dims.get(dimension);
  if (!values) dims.set(dimension, (values = new Set()));
  if (values.has(value)) return value;
  if (values.size >= cap) return OTHER;
  values.add(value);
  return value;
}

export async function rebuildTrackState(store: AnalyticsStore): Promise<TrackState> {
  const state = emptyTrackState();
  await store.scanCustomEventKeys((eventId, fingerprint, occurredAt) => state.seen.set(eventId, seenEntry(fingerprint, occurredAt)));
  for (const t of await store.customDimensionTuples()) {
    for (const [dim, value] of Object.entries(JSON.parse(t.dims) as Record<string, string>)) {
      if (value !== OTHER) cappedValue(state, t.eventType, dim, value, Infinity);
    }
  }
  return state;
}

/** Forgets ids of events before a cutoff (what the raw table forgot at retention). */
export function evictTrackedBefore(state: TrackState, beforeMs: number): number {
  const day = Math.floor(beforeMs / 86_400_000);
  let n = 0;
  for (const [id, s] of state.seen) {
    if (seenDay(s) < day) {
      state.seen.delete(id);
      n++;
    }
  }
  return n;
}
