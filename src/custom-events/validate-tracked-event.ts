// A tracked event checked against its type's definition, for the track ingest (issue 15). Pure:
// the ingest looks the definition up (the latest version, cached) and calls this per event.
//
// Three outcomes:
// - rejected, with a code from TRACK_REJECTION_DOCS: the event goes to the dead letters;
// - kept, not aggregated (`undefined_event_type`): no definition for its type — the event is stored
//   raw and counted, its properties aggregate nothing until a definition exists (for later events:
//   a definition never rewrites history);
// - kept and aggregated: its declared dimensions and measures, split out. Undeclared properties
//   are kept raw and listed (`undeclared`), never aggregated — a producer ahead of its definition
//   loses no data. A declared property that is absent (or null) is simply absent.
// The bounds (property count, key and value sizes) apply to every event, defined or not.

import { DEFINITION_LIMITS, EVENT_TYPE_PATTERN, type PropertyDefinition } from './definition.ts';

export const TRACK_LIMITS = {
  properties: DEFINITION_LIMITS.properties,
  keyLength: 64,
  /** Characters of a string value (UTF-16 code units). */
  valueLength: 512,
} as const;

export const TRACK_REJECTION_DOCS = {
  invalid_event_type: `\`event_type\` is not 1-${DEFINITION_LIMITS.nameLength} characters of lowercase dot-separated segments (order.placed)`,
  too_many_properties: `\`properties\` has more than ${TRACK_LIMITS.properties} keys`,
  invalid_property_key: `a property key is empty or longer than ${TRACK_LIMITS.keyLength} characters; \`property\` names it`,
  invalid_property_value: 'a property value is an object or an array, or a number that is not finite; `property` names it',
  property_value_too_long: `a string property value is longer than ${TRACK_LIMITS.valueLength} characters; \`property\` names it`,
  property_type_mismatch: 'a declared property has another type than its definition says (a measure is a number); `property` names it',
} as const;
export type TrackRejectionCode = keyof typeof TRACK_REJECTION_DOCS;

/** What the ingest needs of a definition: its version and properties. */
export interface TrackDefinition {
  name: string;
  version: number;
  properties: readonly PropertyDefinition[];
}

export interface TrackedEventInput {
  event_type: string;
  properties?: Record<string, unknown> | null;
}

export type TrackValidation =
  | { ok: false; code: TrackRejectionCode; property?: string; message: string }
  | { ok: true; aggregate: false; reason: 'undefined_event_type' }
  | {
    ok: true; aggregate: true; version: number;
    dimensions: Record<string, string | number | boolean>;
    measures: Record<string, number>;
    undeclared: string[];
  };

const EVENT_TYPE_RE = new RegExp(EVENT_TYPE_PATTERN);

const reject = (code: TrackRejectionCode, message: string, property?: string): TrackValidation =>
  (property === undefined ? { ok: false, code, message } : { ok: false, code, property, message });

/** `definition`: the latest definition of the event's type, or null when there is none. */
export function validateTrackedEvent(definition: TrackDefinition | null, event: TrackedEventInput): TrackValidation {
  const type = event.event_type;
  if (typeof type !== 'string' || type.length > DEFINITION_LIMITS.nameLength || !EVENT_TYPE_RE.test(type)) {
    return reject('invalid_event_type', TRACK_REJECTION_DOCS.invalid_event_type);
  }
  const props = event.properties ?? {};
  const keys = Object.keys(props);
  if (keys.length > TRACK_LIMITS.properties) return reject('too_many_properties', TRACK_REJECTION_DOCS.too_many_properties);
  for (const k of keys) {
    if (k.length === 0 || k.length > TRACK_LIMITS.keyLength) return reject('invalid_property_key', TRACK_REJECTION_DOCS.invalid_property_key, k.slice(0, TRACK_LIMITS.keyLength));
    const v = props[k];
    if (typeof v === 'string') {
      if (v.length > TRACK_LIMITS.valueLength) return reject('property_value_too_long', TRACK_REJECTION_DOCS.property_value_too_long, k);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return reject('invalid_property_value', TRACK_REJECTION_DOCS.invalid_property_value, k);
    } else if (v !== null && typeof v !== 'boolean') {
      return reject('invalid_property_value', TRACK_REJECTION_DOCS.invalid_property_value, k);
    }
  }
  if (definition === null) return { ok: true, aggregate: false, reason: 'undefined_event_type' };
  if (definition.name !== type) throw new Error(`definition ${definition.name} given for an event of type ${type}`);

  const dimensions: Record<string, string | number | boolean> = {};
  const measures: Record<string, number> = {};
  const declared = new Set<string>();
  for (const p of definition.properties) {
    declared.add(p.name);
    const v = Object.hasOwn(props, p.name) ? props[p.name] : null;
    if (v === null || v === undefined) continue;
    if (typeof v !== p.type) {
      return reject('property_type_mismatch', `property ${p.name} is declared ${p.type}, the event has a ${typeof v}`, p.name);
    }
    if (p.role === 'measure') measures[p.name] = v as number;
    else dimensions[p.name] = v as string | number | boolean;
  }
  return { ok: true, aggregate: true, version: definition.version, dimensions, measures, undeclared: keys.filter((k) => !declared.has(k)) };
}
