// The track use case (POST /api/v1/track): each framed event's envelope decoded, the latest
// definitions of the types it names looked up (cached), each event checked and normalised
// (tracked-event.ts), then the whole request handed to the ingest engine, which dedupes,
// aggregates and commits it and answers once durable. Refused events travel with the rest and
// become dead letters in the same commit, with their text as sent.

import type { Framed } from '../ingest/frame-events.ts';
import type { ItemResult } from '../ingest/prepare-batch.ts';
import type { DefinitionCache } from './definition-cache.ts';
import { decodeEnvelope, normalizeTracked, type Envelope, type TrackItem } from './tracked-event.ts';

export interface TrackDeps {
  definitions: DefinitionCache;
  /** Hands checked events to the engine (the HTTP source: refuses while the process does not ingest). */
  submit(items: TrackItem[]): Promise<ItemResult[]>;
  now: () => number;
  maxFutureMs: number;
  rawRetentionDays: number;
}

export async function trackEvents(deps: TrackDeps, framed: Framed): Promise<ItemResult[]> {
  const refused = new Map(framed.refused.map((r) => [r.index, r]));
  const envelopes: Envelope[] = framed.items.map((text, i) => {
    const r = refused.get(i);
    return r ? { ok: false, code: r.code, message: r.message, eventId: null, text } : decodeEnvelope(text);
  });
  const types = envelopes.flatMap((e) => (e.ok ? [e.eventType] : []));
  const definitions = await deps.definitions.latest(types);
  const now = deps.now();
  const ctx = { now, maxFutureMs: deps.maxFutureMs, minOccurredAt: now - deps.rawRetentionDays * 86_400_000 };
  const items = envelopes.map((e, i): TrackItem => (e.ok ? normalizeTracked(e, framed.items[i], definitions.get(e.eventType) ?? null, ctx) : e));
  return deps.submit(items);
}
