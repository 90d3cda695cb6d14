// One tracked event (POST /api/v1/track), from its JSON text to what the track batch stores:
// the envelope `{event_type, event_id?, user_id?, session_id?, timestamp, properties}` checked,
// the properties checked against the latest definition of the type (validateTrackedEvent), an
// event id made from the content when none was sent. Pure: the definitions are looked up
// before (track-events.ts). A refusal keeps the event's text for its dead letter.

import { createHash } from 'node:crypto';
import { decodeEventText, isContractText } from '../events/event-text.ts';
import { MAX_ID, parseRfc3339 } from '../events/parse-event.ts';
import { TRACK_REJECTION_DOCS, validateTrackedEvent, type TrackDefinition } from './validate-tracked-event.ts';

/** Envelope codes, beside TRACK_REJECTION_DOCS' property codes (the same meanings as the payment events' codes of the same name). */
export const TRACK_ENVELOPE_DOCS = {
  invalid_json: 'the line or body is not JSON',
  invalid_event: 'JSON, but not an object',
  event_too_large: 'the event\'s JSON text is longer than 65,536 characters',
  too_deeply_nested: 'the event nests objects or arrays more than 16 levels deep',
  invalid_encoding: 'the event\'s bytes are not UTF-8',
  missing_field: '`event_type` or `timestamp` is absent, `null` or `""`; `field` names it',
  invalid_field: '`event_id`, `user_id` or `session_id` is not a string of 1-128 characters, `properties` is not an object, or an unknown top-level field was sent; `field` names it',
  invalid_timestamp: '`timestamp` is neither RFC 3339 with an offset nor integer epoch milliseconds',
  future_timestamp: '`timestamp` is too far ahead of the server\'s clock (MAX_FUTURE_SKEW_SECONDS)',
  beyond_retention: '`timestamp` is older than the custom events\' raw retention (CUSTOM_RAW_RETENTION_DAYS)',
  measure_not_integer: 'a money measure (unit `minor_units`) is not an integer of at most 2^53 - 1; `field` names it',
  duplicate_conflict: 'the `event_id` was tracked before with different content; the first one stands',
} as const;

/** Every per-event code of POST /api/v1/track with its meaning: the error catalogue's (GET /docs/errors) and the dead letters' filter. */
export const TRACK_CODE_DOCS: Readonly<Record<string, string>> = { ...TRACK_ENVELOPE_DOCS, ...TRACK_REJECTION_DOCS };

const TOP_LEVEL = new Set(['event_type', 'event_id', 'user_id', 'session_id', 'timestamp', 'properties']);

export interface TrackContext {
  now: number;
  maxFutureMs: number;
  /** Oldest accepted timestamp, epoch ms. */
  minOccurredAt: number;
}

/** A measure value as aggregated: money (minor units) exactly, the rest as floats. */
export interface MeasureValue { name: string; value: number; minor: boolean }

export interface TrackedEvent {
  ok: true;
  eventId: string;
  eventType: string;
  occurredAt: number;
  userId: string | null;
  sessionId: string | null;
  /** The properties as JSON text, keys sorted (what is stored, and fingerprinted). */
  properties: string;
  fingerprint: number;
  /** 0 when the type has no definition (kept and counted, not aggregated). */
  version: number;
  /** Declared dimensions present, as strings, with their cardinality caps. */
  dimensions: Array<{ name: string; value: string; cap: number }>;
  measures: MeasureValue[];
  text: string;
}

export interface TrackRefusal {
  ok: false;
  code: string;
  message: string;
  field?: string;
  eventId: string | null;
  text: string;
}

export type TrackItem = TrackedEvent | TrackRefusal;

/** The envelope decoded, before the definition is known. */
export type Envelope = { ok: true; value: Record<string, unknown>; eventType: string } | TrackRefusal;

const refuse = (text: string, code: string, message: string, field?: string, eventId: string | null = null): TrackRefusal =>
  (field === undefined ? { ok: false, code, message, eventId, text } : { ok: false, code, message, field, eventId, text });

export function decodeEnvelope(text: string): Envelope {
  const decoded = decodeEventText(text);
  if (!decoded.ok) return refuse(text, decoded.code, decoded.message);
  const v = decoded.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse(text, 'invalid_event', 'The event is not a JSON object.');
  const o = v as Record<string, unknown>;
  const type = o.event_type;
  if (type === undefined || type === null || type === '') return refuse(text, 'missing_field', 'event_type is required', 'event_type');
  if (typeof type !== 'string') return refuse(text, 'invalid_field', 'event_type must be a string', 'event_type');
  return { ok: true, value: o, eventType: type };
}

function optionalId(o: Record<string, unknown>, field: string): string | null | undefined {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID || !isContractText(v)) return undefined;
  return v;
}

function timestampOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const out = { occurredAt: 0, offsetMinutes: 0 };
  return parseRfc3339(v, out) ? out.occurredAt : null;
}

/** JSON text with keys sorted: the same properties in any order are the same text. */
function canonical(props: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(props).sort()) sorted[k] = props[k];
  return JSON.stringify(sorted);
}

/** 32-bit FNV-1a of the stored content: a resent id with other content is a conflict. */
export function fingerprintOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The whole check of one decoded event, given its type's latest definition (null: none).
 * Without an event_id, the id is `c_` + SHA-256 of (type, timestamp, user, session, properties),
 * 32 hex digits: resending the same event is a duplicate, and two identical events without ids
 * count once (send ids when identical events may really happen twice).
 */
export function normalizeTracked(env: Envelope & { ok: true }, text: string, def: TrackDefinition | null, ctx: TrackContext): TrackItem {
  const o = env.value;
  for (const k of Object.keys(o)) {
    if (!TOP_LEVEL.has(k)) return refuse(text, 'invalid_field', `unknown field ${k.slice(0, 64)}; properties go under "properties"`, k.slice(0, 64));
  }
  const sentId = optionalId(o, 'event_id');
  if (sentId === undefined) return refuse(text, 'invalid_field', `event_id must be a string of 1-${MAX_ID} characters`, 'event_id');
  const userId = optionalId(o, 'user_id');
  if (userId === undefined) return refuse(text, 'invalid_field', `user_id must be a string of 1-${MAX_ID} characters`, 'user_id', sentId);
  const sessionId = optionalId(o, 'session_id');
  if (sessionId === undefined) return refuse(text, 'invalid_field', `session_id must be a string of 1-${MAX_ID} characters`, 'session_id', sentId);
  if (o.timestamp === undefined || o.timestamp === null || o.timestamp === '') return refuse(text, 'missing_field', 'timestamp is required', 'timestamp', sentId);
  const at = timestampOf(o.timestamp);
  if (at === null) return refuse(text, 'invalid_timestamp', 'timestamp must be RFC 3339 with an offset or integer epoch milliseconds', 'timestamp', sentId);
  if (at > ctx.now + ctx.maxFutureMs) return refuse(text, 'future_timestamp', 'timestamp is too far in the future', 'timestamp', sentId);
  if (at < ctx.minOccurredAt) return refuse(text, 'beyond_retention', 'timestamp is older than the raw retention of custom events', 'timestamp', sentId);
  const props = o.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return refuse(text, 'invalid_field', 'properties must be an object', 'properties', sentId);
  const p = props as Record<string, unknown>;
  const v = validateTrackedEvent(def, { event_type: env.eventType, properties: p });
  if (!v.ok) return refuse(text, v.code, v.message, v.property === undefined ? undefined : `properties.${v.property}`, sentId);
  const properties = canonical(p);
  const content = `${env.eventType}\n${at}\n${userId ?? ''}\n${sessionId ?? ''}\n${properties}`;
  const eventId = sentId ?? `c_${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
  const base = {
    ok: true as const, eventId, eventType: env.eventType, occurredAt: at, userId, sessionId, properties,
    fingerprint: fingerprintOf(content), text,
  };
  if (!v.aggregate || def === null) return { ...base, version: 0, dimensions: [], measures: [] };
  const dimensions: TrackedEvent['dimensions'] = [];
  const measures: MeasureValue[] = [];
  for (const d of def.properties) {
    if (d.role === 'dimension' && Object.hasOwn(v.dimensions, d.name)) {
      dimensions.push({ name: d.name, value: String(v.dimensions[d.name]), cap: d.cardinality_cap });
    } else if (d.role === 'measure' && Object.hasOwn(v.measures, d.name)) {
      const value = v.measures[d.name];
      const minor = d.unit.startsWith('minor_units');
      if (minor && !Number.isSafeInteger(value)) {
        return refuse(text, 'measure_not_integer', `${d.name} is money in minor units: an integer`, `properties.${d.name}`, sentId);
      }
      measures.push({ name: d.name, value, minor });
    }
  }
  return { ...base, version: v.version, dimensions, measures };
}
